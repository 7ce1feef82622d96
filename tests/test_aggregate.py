"""Aggregation and concordances: hand-checked examples, identities on the WIOD 2011 table, bad
maps, the shipped maps and the command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gvckit.icio as icio
from conftest import wiod_path
from gvckit.cli import main
from gvckit.errors import InputError, OptionError
from gvckit.icio.concordances import ConcordanceWarning
from gvckit.icio.readers._cells import codes

# --- a hand-checked example: 2 countries × 3 sectors ------------------------------------------

Z6 = np.array(
    [
        [1, 2, 0, 1, 0, 0],
        [0, 1, 3, 0, 2, 0],
        [2, 0, 1, 0, 0, 1],
        [0, 1, 0, 2, 1, 0],
        [1, 0, 0, 0, 1, 2],
        [0, 0, 1, 1, 0, 3],
    ],
    dtype=float,
)
Y6 = np.array([[5, 1], [2, 2], [3, 0], [1, 4], [0, 6], [2, 2]], dtype=float)


def _tiny(**extra: object) -> icio.IcioTable:
    return icio.IcioTable(
        entities=["AAA", "BBB"],
        sectors=["s1", "s2", "s3"],
        Z=Z6,
        Y=Y6,
        **extra,  # type: ignore[arg-type]
    )


def _totals_equal(a: icio.IcioTable, b: icio.IcioTable, rtol: float = 1e-9) -> None:
    for key, value in a.totals().items():
        assert b.totals()[key] == pytest.approx(value, rel=rtol), key


def _leontief_identity(t: icio.IcioTable) -> None:
    np.testing.assert_allclose(t.x, t.Z.sum(axis=1) + t.Y.sum(axis=(1, 2)), rtol=1e-12, atol=1e-6)


def test_three_sectors_to_two_by_hand() -> None:
    t = icio.aggregate(_tiny(), sectors={"s1": "g1", "s2": "g1", "s3": "g2"})
    assert t.entities == ("AAA", "BBB") and t.sectors == ("g1", "g2")
    expected_Z = [[4, 3, 3, 0], [2, 1, 0, 1], [2, 0, 4, 2], [0, 1, 1, 3]]
    np.testing.assert_array_equal(t.Z, expected_Z)
    np.testing.assert_array_equal(t.Y[:, :, 0], [[7, 3], [3, 0], [1, 10], [2, 2]])
    np.testing.assert_array_equal(t.x, [20, 7, 19, 9])
    _totals_equal(_tiny(), t)
    _leontief_identity(t)


def test_weighted_split_is_proportional_in_rows_and_columns() -> None:
    split = pd.DataFrame(
        {
            "from": ["s1", "s2", "s3", "s3"],
            "to": ["s1", "s2", "s3a", "s3b"],
            "weight": [None, None, 0.25, 0.75],
        }
    )
    t = icio.aggregate(_tiny(), sectors=split)
    assert t.sectors == ("s1", "s2", "s3a", "s3b")
    row = {label: k for k, label in enumerate(t.row_labels)}
    z = lambda i, j: t.Z[row[i], row[j]]  # noqa: E731
    assert z("AAA_s3a", "AAA_s3a") == pytest.approx(1 * 0.25 * 0.25)
    assert z("AAA_s3a", "AAA_s3b") == pytest.approx(1 * 0.25 * 0.75)
    assert z("AAA_s2", "AAA_s3b") == pytest.approx(3 * 0.75)
    assert z("AAA_s3b", "BBB_s3a") == pytest.approx(1 * 0.75 * 0.25)
    np.testing.assert_allclose(t.Y[row["AAA_s3b"], :, 0], [2.25, 0])
    assert t.x[row["AAA_s3a"]] == pytest.approx(7 * 0.25)
    _totals_equal(_tiny(), t)
    _leontief_identity(t)
    # merging the parts back gives the original table
    back = icio.aggregate(t, sectors={"s1": "s1", "s2": "s2", "s3a": "s3", "s3b": "s3"})
    np.testing.assert_allclose(back.Z, Z6, atol=1e-12)
    np.testing.assert_allclose(back.Y[:, :, 0], Y6, atol=1e-12)


def test_country_split_splits_final_demand_columns_too() -> None:
    split = pd.DataFrame(
        {"from": ["AAA", "BBB", "BBB"], "to": ["AAA", "B1", "B2"], "weight": [1, 0.4, 0.6]}
    )
    t = icio.aggregate(_tiny(), countries=split)
    assert t.entities == ("AAA", "B1", "B2") and t.destinations == ("AAA", "B1", "B2")
    np.testing.assert_allclose(t.Y[0, :, 0], [5, 0.4, 0.6])
    np.testing.assert_allclose(t.x[3:6], 0.4 * np.array([9, 10, 9]))
    _totals_equal(_tiny(), t)
    _leontief_identity(t)


def test_weights_are_rescaled_to_sum_to_one() -> None:
    third = 0.3333333
    split = pd.DataFrame(
        {"from": ["s1", "s2", "s3", "s3", "s3"], "to": ["s1", "s2", "a", "b", "c"]}
    ).assign(weight=[1, 1, third, third, third])
    t = icio.aggregate(_tiny(), sectors=split)
    assert t.Z.sum() == pytest.approx(Z6.sum(), rel=1e-14)


def test_country_map_merges_the_parts_of_a_country() -> None:
    t = icio.IcioTable(
        entities=["AAA", "CN1", "CN2"],
        sectors=["s1", "s2"],
        Z=Z6,
        Y=Y6,
        destinations=["AAA", "CCC"],
        entity_country={"CN1": "CCC", "CN2": "CCC"},
    )
    a = icio.aggregate(t, countries={"AAA": "AAA", "CCC": "CCC"})
    assert a.entities == ("AAA", "CCC") and a.countries == ("AAA", "CCC")
    np.testing.assert_array_equal(a.Z[2:, 2:], Z6[2:, 2:].reshape(2, 2, 2, 2).sum(axis=(0, 2)))
    with pytest.raises(OptionError, match="CN1, CN2 are parts of a country"):
        icio.write_table(t, "never.csv")
    kept = icio.aggregate(t, sectors={"s1": "g", "s2": "g"})  # parts stay without a country map
    assert kept.entities == ("AAA", "CN1", "CN2") and kept.countries == ("AAA", "CCC")


def test_nothing_to_aggregate_and_keep_others_alone() -> None:
    with pytest.raises(OptionError, match="nothing to aggregate"):
        icio.aggregate(_tiny())
    with pytest.raises(OptionError, match="keep_others applies to a countries map"):
        icio.aggregate(_tiny(), sectors={"s1": "g", "s2": "g", "s3": "g"}, keep_others=True)


def test_keep_others_passes_unmapped_countries_through() -> None:
    t = icio.aggregate(_tiny(), countries={"BBB": "XXX"}, keep_others=True)
    assert t.entities == ("AAA", "XXX")
    np.testing.assert_array_equal(t.Z, Z6)


# --- bad maps ---------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "map.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_duplicate_from_without_weights(tmp_path: Path) -> None:
    p = _write(tmp_path, "from,to\ns1,g1\ns2,g1\ns3,g2\ns3,g3\n")
    with pytest.raises(InputError) as info:
        icio.aggregate(_tiny(), sectors=p)
    msg = str(info.value)
    assert str(p) in msg and "row 5" in msg
    assert "code 's3' appears 2 times (rows 4, 5) without weights" in msg


def test_weights_not_summing_to_one(tmp_path: Path) -> None:
    p = _write(tmp_path, "from,to,weight\ns1,g1,\ns2,g1,\ns3,a,0.5\ns3,b,0.4\n")
    with pytest.raises(InputError, match=r"row 4, column 'weight': the weights of code 's3'"):
        icio.aggregate(_tiny(), sectors=p)
    with pytest.raises(InputError, match=r"sum to 0\.9"):
        icio.aggregate(_tiny(), sectors=p)
    single = _write(tmp_path, "from,to,weight\ns1,g1,0.5\n", "single.csv")
    with pytest.raises(InputError, match=r"'s1' .*sum to 0\.5"):
        icio.read_map(single)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "from,to,weight\ns1,g1,x\n",
            r"row 2, column 'weight': invalid weight for 's1'.*found 'x'",
        ),
        ("from,to,weight\ns1,g1,-1\n", r"row 2, column 'weight': invalid weight"),
        ("from,to,weight\ns1,a,0.5\ns1,b,\n", r"row 3, column 'weight': code 's1' is split"),
        ("from,to\ns1,g1\n,g2\n", r"row 3, column 'from': empty 'from' code"),
        ("from,to\ns1,g1\ns1,g1\n", r"row 3, column 'from': 's1' → 'g1' appears twice"),
        ("from,target\ns1,g1\n", r"row 1: no 'to' column"),
        ("from,to\n", "the map has no rows"),
        ("", "the file is empty"),
    ],
)
def test_bad_map_files(tmp_path: Path, text: str, message: str) -> None:
    p = _write(tmp_path, text)
    with pytest.raises(InputError, match=message) as info:
        icio.read_map(p)
    assert str(p) in str(info.value)


def test_codes_of_the_table_missing_from_the_map() -> None:
    with pytest.raises(InputError, match=r"2 sectors of the table are not in the map: s2, s3"):
        icio.aggregate(_tiny(), sectors={"s1": "g"})
    with pytest.raises(InputError, match=r"countries of the table .*: BBB.*--keep-others"):
        icio.aggregate(_tiny(), countries={"AAA": "X"})


def test_codes_of_a_user_map_absent_from_the_table_warn() -> None:
    with pytest.warns(ConcordanceWarning, match="1 codes of the map are not sectors.*: s9"):
        t = icio.aggregate(_tiny(), sectors={"s1": "g", "s2": "g", "s3": "g", "s9": "g"})
    assert t.sectors == ("g",)


def test_unknown_map_name_or_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file, nor a shipped map"):
        icio.read_map(tmp_path / "absent.csv")
    with pytest.raises(InputError, match="eu27"):
        icio.read_map("eu-27")
    with pytest.raises(OptionError, match="no shipped map 'eu28'"):
        icio.concordance("eu28")


# --- shipped maps -----------------------------------------------------------------------------

WIOD16 = codes(
    "A01 A02 A03 B C10-C12 C13-C15 C16 C17 C18 C19 C20 C21 C22 C23 C24 C25 C26 C27 C28 C29 C30"
    " C31_C32 C33 D35 E36 E37-E39 F G45 G46 G47 H49 H50 H51 H52 H53 I J58 J59_J60 J61 J62_J63"
    " K64 K65 K66 L68 M69_M70 M71 M72 M73 M74_M75 N O84 P85 Q R_S T U"
)


def test_shipped_broad_maps_cover_their_classifications() -> None:
    from gvckit.icio.readers.oecd import INDUSTRIES
    from gvckit.icio.readers.wide import WIOD2013_SECTORS

    groups = {"AGR", "MIN", "MFG_LOW", "MFG_MLOW", "MFG_HIGH", "UTL", "CON", "TRD", "TRC"}
    groups |= {"FIN", "BUS", "PUB", "OTH"}
    cases = [
        ("wiod13-broad", WIOD2013_SECTORS),
        ("wiod16-broad", WIOD16),
        ("wiod16-broad", [f"c{k}" for k in range(1, 57)]),
        ("icio23-broad", INDUSTRIES["2023"]),
        ("icio23-broad", INDUSTRIES["2021"]),
    ]
    for name, labels in cases:
        m = icio.concordance(name).set_index("from")["to"]
        assert set(labels) <= set(m.index), name
        assert set(m[list(labels)]) == groups, name
    w16 = icio.concordance("wiod16-broad").set_index("from")["to"]
    assert all(w16[c] == w16[f"c{k}"] for k, c in enumerate(WIOD16, start=1))
    assert set(icio.concordance_names()) >= {"wiod13-broad", "icio23-broad", "eu27"}


def test_shipped_country_maps() -> None:
    eu = icio.concordance("eu27")
    assert len(set(eu["from"]) - {"ROM"}) == 27 and set(eu["to"]) == {"EU27"}
    regions = icio.concordance("world-regions")
    icio23 = codes(
        "ARG AUS AUT BEL BGD BGR BLR BRA BRN CAN CHE CHL CHN CIV CMR COL CRI CYP CZE DEU DNK EGY"
        " ESP EST FIN FRA GBR GRC HKG HRV HUN IDN IND IRL ISL ISR ITA JOR JPN KAZ KHM KOR LAO LTU"
        " LUX LVA MAR MEX MLT MMR MYS NGA NLD NOR NZL PAK PER PHL POL PRT ROU RUS SAU SEN SGP SVK"
        " SVN SWE THA TUN TUR TWN UKR USA VNM ZAF ROW"
    )
    assert set(icio23) <= set(regions["from"]) and regions["from"].is_unique
    by = regions.set_index("from")["to"]
    assert set(by[eu["from"]]) == {"EU27"}


# --- the WIOD 2011 table ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def wiod() -> icio.IcioTable:
    return icio.read(wiod_path(2011))


@pytest.mark.shared
@pytest.mark.parametrize(
    ("countries", "sectors", "shape"),
    [
        (None, "wiod13-broad", (41, 13)),
        ("eu27", None, (16, 35)),
        ("eu27", "wiod13-broad", (16, 13)),
        ("world-regions", "wiod13-broad", (10, 13)),
    ],
)
def test_wiod_totals_and_identities(
    wiod: icio.IcioTable, countries: str | None, sectors: str | None, shape: tuple[int, int]
) -> None:
    a = icio.aggregate(wiod, countries, sectors, keep_others=countries == "eu27")
    assert (len(a.countries), len(a.sectors)) == shape
    _totals_equal(wiod, a)
    assert a.Y.sum() == pytest.approx(wiod.Y.sum(), rel=1e-9)
    assert a.given_output is not None and wiod.given_output is not None
    assert a.given_output.sum() == pytest.approx(wiod.given_output.sum(), rel=1e-9)
    _leontief_identity(a)
    assert a.categories == wiod.categories
    if countries == "eu27":
        members = set(icio.concordance("eu27")["from"]) & set(wiod.countries)
        assert len(members) == 26 and set(a.countries) == set(wiod.countries) - members | {"EU27"}


@pytest.mark.shared
def test_wiod_output_of_a_group_is_the_sum_of_its_members(wiod: icio.IcioTable) -> None:
    a = icio.aggregate(wiod, sectors="wiod13-broad")
    groups = icio.concordance("wiod13-broad").set_index("from")["to"]
    x = pd.Series(wiod.x, index=pd.MultiIndex.from_product([wiod.entities, wiod.sectors]))
    expected = x.groupby([x.index.get_level_values(0), groups[x.index.get_level_values(1)].values])
    got = pd.Series(a.x, index=pd.MultiIndex.from_product([a.entities, a.sectors]))
    np.testing.assert_allclose(got.values, expected.sum().reindex(got.index).values, rtol=1e-12)


@pytest.mark.shared
def test_wiod_identity_map_returns_the_same_table(wiod: icio.IcioTable) -> None:
    same = icio.aggregate(
        wiod,
        countries={c: c for c in wiod.countries},
        sectors=pd.DataFrame({"from": wiod.sectors, "to": wiod.sectors}),
    )
    assert (same.entities, same.sectors) == (wiod.entities, wiod.sectors)
    assert (same.destinations, same.categories) == (wiod.destinations, wiod.categories)
    np.testing.assert_array_equal(same.Z, wiod.Z)
    np.testing.assert_array_equal(same.Y, wiod.Y)
    np.testing.assert_array_equal(same.x, wiod.x)
    np.testing.assert_array_equal(same.va, wiod.va)


@pytest.mark.shared
def test_wiod_countries_then_sectors_equals_sectors_then_countries(wiod: icio.IcioTable) -> None:
    def by_countries(t: icio.IcioTable) -> icio.IcioTable:
        return icio.aggregate(t, countries="eu27", keep_others=True)

    def by_sectors(t: icio.IcioTable) -> icio.IcioTable:
        return icio.aggregate(t, sectors="wiod13-broad")

    one = by_sectors(by_countries(wiod))
    two = by_countries(by_sectors(wiod))
    both = icio.aggregate(wiod, "eu27", "wiod13-broad", keep_others=True)
    for other in (two, both):
        assert (one.entities, one.sectors) == (other.entities, other.sectors)
        np.testing.assert_allclose(one.Z, other.Z, rtol=1e-12, atol=1e-6)
        np.testing.assert_allclose(one.Y, other.Y, rtol=1e-12, atol=1e-6)


def _reordered(t: icio.IcioTable, entities: tuple[str, ...]) -> icio.IcioTable:
    """``t`` with its entities (and destinations) in the order ``entities``."""
    N = len(t.sectors)
    rows = np.concatenate([np.arange(N) + N * t.entities.index(e) for e in entities])
    dests = [t.destinations.index(d) for d in entities]
    return icio.IcioTable(
        entities=entities,
        sectors=t.sectors,
        Z=t.Z[np.ix_(rows, rows)],
        Y=t.Y[rows][:, dests],
        categories=t.categories,
        output=None if t.given_output is None else t.given_output[rows],
    )


@pytest.mark.shared
def test_wiod_regions_agree_with_the_published_regional_table(wiod: icio.IcioTable) -> None:
    """The R package wiod ships a 7-region table for 2011 (with decimals; the national table is
    rounded to whole millions): aggregating the national table must give it within rounding."""
    regional = icio.read(wiod_path(2011).with_name("wiot_regional_2011.csv.gz"))
    members = {
        "Euro-zone": "AUT BEL CYP DEU ESP EST FIN FRA GRC IRL ITA LUX MLT NLD PRT SVK SVN",
        "Other EU": "BGR CZE DNK GBR HUN LTU LVA POL ROM SWE",
        "NAFTA": "CAN MEX USA",
        "China": "CHN",
        "East Asia": "JPN KOR TWN",
        "BRIIAT": "AUS BRA IDN IND RUS TUR",
        "RoW": "RoW",
    }
    a = icio.aggregate(wiod, {c: r for r, cs in members.items() for c in codes(cs)})
    assert set(a.entities) == set(regional.entities) and a.sectors == regional.sectors
    a = _reordered(a, regional.entities)
    size = np.repeat([len(codes(members[r])) for r in a.entities], len(a.sectors))
    cells = 0.5 * np.outer(size, size) + 1e-6  # each national cell is rounded by at most 0.5
    assert np.all(np.abs(a.Z - regional.Z) <= cells)
    dest = [len(codes(members[d])) for d in a.destinations]
    assert np.all(np.abs(a.Y - regional.Y) <= 0.5 * np.outer(size, dest)[:, :, None] + 1e-6)
    assert a.given_output is not None and regional.given_output is not None
    assert np.all(np.abs(a.given_output - regional.given_output) <= 0.5 * size + 1e-6)


# --- writing and the command line -------------------------------------------------------------


def test_write_table_reads_back(tmp_path: Path) -> None:
    t = _tiny(
        output=Z6.sum(axis=1) + Y6.sum(axis=1) + 0.5,
        primary_inputs={"VA": np.arange(6.0), "TLS": np.ones(6) / 3},
    )
    for name in ("t.csv", "t.csv.gz"):
        icio.write_table(t, tmp_path / name)
        back = icio.read(tmp_path / name)
        assert (back.entities, back.sectors, back.destinations, back.categories) == (
            t.entities,
            t.sectors,
            t.destinations,
            t.categories,
        )
        np.testing.assert_array_equal(back.Z, t.Z)
        np.testing.assert_array_equal(back.Y, t.Y)
        assert back.given_output is not None and t.given_output is not None
        np.testing.assert_array_equal(back.given_output, t.given_output)
        assert set(back.primary_inputs) == {"VA", "TLS"}
        np.testing.assert_array_equal(back.primary_inputs["TLS"], t.primary_inputs["TLS"])
    with pytest.raises(OptionError, match="cannot tell the table format"):
        icio.write_table(t, tmp_path / "t.xyz")


@pytest.mark.shared
def test_cli_aggregate_then_measure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], wiod: icio.IcioTable
) -> None:
    out, tiva = tmp_path / "agg.csv", tmp_path / "tiva.csv"
    args = ["table", "aggregate", str(wiod_path(2011)), "--countries", "eu27", "--keep-others"]
    assert main([*args, "--sectors", "wiod13-broad", "-o", str(out)]) == 0
    assert "41 → 16 countries, 35 → 13 sectors" in capsys.readouterr().err
    back = icio.read(out)
    expected = icio.aggregate(wiod, "eu27", "wiod13-broad", keep_others=True)
    assert (back.entities, back.sectors) == (expected.entities, expected.sectors)
    _totals_equal(wiod, back)
    np.testing.assert_allclose(back.Z, expected.Z, rtol=1e-15)
    assert main(["measure", "tiva", str(out), "-o", str(tiva)]) == 0
    result = pd.read_csv(tiva)
    assert {"EU27", "USA"} <= set(result["origin_country"])
    assert result["value"].sum() == pytest.approx(wiod.totals()["value_added"], rel=1e-9)


def test_cli_bad_map_is_one_line_naming_file_row_and_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "t.csv"
    icio.write_table(_tiny(), table)
    bad = _write(tmp_path, "from,to,weight\ns1,g,\ns2,g,\ns3,a,0.5\ns3,b,0.6\n")
    out = tmp_path / "out.csv"
    assert main(["table", "aggregate", str(table), "--sectors", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    assert str(bad) in err[0] and "row 4" in err[0] and "'s3'" in err[0]
    assert not out.exists()


def test_cli_usage_errors_and_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "t.csv"
    icio.write_table(_tiny(), table)
    out = str(tmp_path / "out.csv")
    assert main(["table", "aggregate", str(table), "-o", out]) == 2
    assert "--countries MAP, --sectors MAP or both" in capsys.readouterr().err
    assert (
        main(["table", "aggregate", str(table), "--sectors", "x", "--keep-others", "-o", out]) == 2
    )
    assert "--keep-others applies to --countries" in capsys.readouterr().err
    assert main(["table", "aggregate", str(table), "--countries", "eu27", "-o", "o.xyz"]) == 2
    assert "cannot tell the table format" in capsys.readouterr().err
    extra = _write(tmp_path, "from,to\nAAA,X\nBBB,X\nZZZ,X\n")
    assert main(["table", "aggregate", str(table), "--countries", str(extra), "-o", out]) == 0
    assert "warning: " in capsys.readouterr().err
    assert icio.read(out).entities == ("X",)
    assert main(["table", "maps"]) == 0
    assert "wiod13-broad" in capsys.readouterr().out


@pytest.mark.parametrize("key", ["2023", "2021"])
def test_cli_oecd_extended_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    from oecd_fixtures import EDITIONS, generate

    table = tmp_path / ("2017.csv" if key == "2023" else "ICIO2021_2017.csv")
    table.write_bytes(generate(EDITIONS[key]).text.encode())
    t = icio.read(table)
    out = tmp_path / "out.csv"
    cmd = ["table", "aggregate", str(table), "--sectors", "icio23-broad", "-o", str(out)]
    assert main(cmd) == 2  # CN1, CN2, MX1, MX2 cannot be written as parts of a country
    assert "parts of a country" in capsys.readouterr().err and not out.exists()
    assert main([*cmd, "--countries", "world-regions"]) == 0
    a = icio.read(out)
    assert a.entities == ("OCE", "EAS", "LAC", "ROW") and a.sectors == ("AGR", "MFG_LOW", "UTL")
    assert a.categories == t.categories
    _totals_equal(t, a)
    assert main(["measure", "tiva", str(out), "-o", str(tmp_path / "tiva.csv")]) == 0
