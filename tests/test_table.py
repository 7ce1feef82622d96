"""The table object: validation on entry with messages naming rows and columns, immutability."""

from __future__ import annotations

import numpy as np
import pytest

import gvckit.icio as icio
from gvckit.errors import GvcError, OptionError, TableError


def _small(**changes: object) -> dict[str, object]:
    Z = np.array(
        [[1.0, 2.0, 0.5, 0.0], [0.0, 1.0, 0.2, 0.3], [0.4, 0.0, 2.0, 1.0], [0.1, 0.2, 0.0, 1.0]]
    )
    Y = np.full((4, 2, 1), 5.0)
    args: dict[str, object] = {"entities": ["AAA", "BBB"], "sectors": ["s1", "s2"], "Z": Z, "Y": Y}
    args.update(changes)
    return args


def test_errors_form_one_hierarchy() -> None:
    assert issubclass(TableError, GvcError) and issubclass(OptionError, GvcError)


def test_table_is_immutable() -> None:
    t = icio.IcioTable(**_small())  # type: ignore[arg-type]
    with pytest.raises(AttributeError, match="immutable"):
        t.x = np.zeros(4)  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        t.Z[0, 0] = 3.0


def test_shape_mismatch_names_expected_shape() -> None:
    with pytest.raises(TableError, match=r"Z has shape \(3, 3\).*\(4, 4\)"):
        icio.IcioTable(**_small(Z=np.ones((3, 3))))  # type: ignore[arg-type]


def test_duplicate_labels() -> None:
    with pytest.raises(TableError, match="duplicate entity label 'AAA'"):
        icio.IcioTable(**_small(entities=["AAA", "AAA"]))  # type: ignore[arg-type]
    with pytest.raises(TableError, match="duplicate sector label 's1'"):
        icio.IcioTable(**_small(sectors=["s1", "s1"]))  # type: ignore[arg-type]


def test_nan_is_located_by_labels() -> None:
    Z = _small()["Z"].copy()  # type: ignore[union-attr]
    Z[2, 1] = np.nan
    with pytest.raises(TableError) as info:
        icio.IcioTable(**_small(Z=Z))  # type: ignore[arg-type]
    assert info.value.row == "BBB_s1" and info.value.column == "AAA_s2"
    assert "row BBB_s1" in str(info.value) and "finite" in str(info.value)


def test_negative_published_output() -> None:
    out = np.array([10.0, 10.0, -3.0, 10.0])
    with pytest.raises(TableError, match=r"row BBB_s1.*negative published gross output"):
        icio.IcioTable(**_small(output=out))  # type: ignore[arg-type]


def test_negative_row_sum_without_published_output() -> None:
    Y = np.full((4, 2, 1), 5.0)
    Y[1] = -20.0
    with pytest.raises(TableError, match=r"row AAA_s2.*negative gross output"):
        icio.IcioTable(**_small(Y=Y))  # type: ignore[arg-type]


def test_zero_output_sector_gets_zero_coefficients() -> None:
    Z = _small()["Z"].copy()  # type: ignore[union-attr]
    Z[3, :] = 0.0
    Z[:, 3] = 0.0
    Y = np.full((4, 2, 1), 5.0)
    Y[3] = 0.0
    t = icio.IcioTable(**_small(Z=Z, Y=Y))  # type: ignore[arg-type]
    assert t.balance.zero_output == ("BBB_s2",)
    model = icio.IcioModel(t)
    assert np.all(model.A[:, 3] == 0) and model.v[3] == 0
    for name in icio.measure_names():
        frame = icio.measure(name, model)
        values = frame["value"].to_numpy(dtype=float)
        if name == "vax":  # only the ratio of a country without exports may be undefined
            wide = frame.pivot(index="country", columns="indicator", values="value")
            assert wide.drop(columns="VAX_RATIO").notna().all().all()
            assert (wide.VAX_RATIO.notna() == (wide.EXGR != 0)).all()
        else:
            assert np.isfinite(values).all(), name


def test_destination_must_be_a_country() -> None:
    with pytest.raises(TableError, match="destination 'ZZZ' is not a country"):
        icio.IcioTable(**_small(destinations=["AAA", "ZZZ"]))  # type: ignore[arg-type]


def test_split_entities_belong_to_their_country() -> None:
    """OECD-style CN1/CN2: flows between the parts of a country are domestic."""
    t = icio.IcioTable(
        **_small(entities=["AAA", "AA1"], destinations=["AAA"], Y=np.full((4, 1, 1), 5.0)),
        entity_country={"AA1": "AAA"},
    )  # type: ignore[arg-type]
    assert t.countries == ("AAA",)
    assert icio.measure("exports", t).empty


def test_balance_report_flags_imbalance() -> None:
    t = icio.IcioTable(**_small(output=np.array([100.0, 12.0, 13.0, 11.0])))  # type: ignore[arg-type]
    report = t.balance
    assert not report.balanced and report.rows_out_of_balance == 4
    assert report.worst(1)[0]["label"] == "AAA_s1"


def test_unknown_measure_and_option() -> None:
    t = icio.IcioTable(**_small())  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="unknown measure 'nope'"):
        icio.measure("nope", t)
    with pytest.raises(OptionError, match="has no option 'by'"):
        icio.measure("vs", t, by="sector")
    with pytest.raises(OptionError, match="by='x' is not one of country, sector"):
        icio.measure("tiva", t, by="x")


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        (["NAFTA"], "not of the form NAME=MEMBER"),
        (["G=AAA,ZZZ"], "'ZZZ' is not a country"),
        (["G=AAA", "H=AAA"], "'AAA' is in two groups"),
        (["BBB=AAA"], "already a country"),
    ],
)
def test_bad_groups(groups: list[str], message: str) -> None:
    t = icio.IcioTable(**_small())  # type: ignore[arg-type]
    with pytest.raises(OptionError, match=message):
        icio.measure("exports", t, groups=groups)


def test_negative_flows_are_reported() -> None:
    Z = _small()["Z"].copy()  # type: ignore[union-attr]
    Z[0, 1] = -0.5
    t = icio.IcioTable(**_small(Z=Z))  # type: ignore[arg-type]
    assert any("1 negative intermediate flows" in n for n in t.balance.notes)
