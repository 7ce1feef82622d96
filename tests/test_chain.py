"""The chain model, its accounts and governance, on a small synthetic chain computed by hand
(tests/data/chain_small.yaml), and bad chain files through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gvckit import chain
from gvckit.cli import main
from gvckit.errors import ChainError

SMALL = Path(__file__).parent / "data" / "chain_small.yaml"


@pytest.fixture
def small() -> chain.Chain:
    return chain.read_chain(SMALL)


def _ind(frame, **where: object) -> dict[str, float]:  # type: ignore[no-untyped-def]
    for key, value in where.items():
        frame = frame[frame[key] == value]
    return dict(zip(frame["indicator"], frame["value"], strict=True))


def test_model_is_immutable(small: chain.Chain) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        small.snapshots[0].actors[0].count = 3  # type: ignore[misc]


def test_accounts_by_hand(small: chain.Chain) -> None:
    acc = chain.accounts(small)
    farmers = _ind(acc, actor="farmers")
    assert farmers["output_value"] == pytest.approx(960)
    assert farmers["intermediate_consumption"] == pytest.approx(200)
    assert farmers["value_added"] == pytest.approx(760)
    assert farmers["net_operating_profit"] == pytest.approx(630)
    assert farmers["return_on_costs"] == pytest.approx(630 / 330)
    assert farmers["value_added_per_job"] == pytest.approx(760 / 1500)
    roaster = _ind(acc, actor="roaster")  # EUR items at 1.1 USD
    assert roaster["output_value"] == pytest.approx(2000 + 40 * 11 * 1.1 + 11)
    assert roaster["intermediate_consumption"] == pytest.approx(750 + 480 + 110)
    assert roaster["value_added"] == pytest.approx(1155)
    assert roaster["wages"] == pytest.approx(220)
    assert roaster["net_operating_profit"] == pytest.approx(1155 - 341)
    assert roaster["marketing_margin"] == pytest.approx(2484 - 1230)
    shares = acc[acc.indicator == "share_of_chain_value_added"]["value"]
    assert shares.sum() == pytest.approx(1.0)


def test_consolidated_value_added_identity(small: chain.Chain) -> None:
    """Σ VA = final sales + other output − inputs from outside the chain."""
    d = _ind(chain.distribution(small))
    assert d["chain_value_added"] == pytest.approx(2785)
    assert d["chain_value_added"] == pytest.approx(
        d["final_sales"] + d["other_output"] - d["external_inputs"]
    )
    assert d["share_smes"] == pytest.approx((760 + 120) / 2785)
    assert d["share_smallholders"] == pytest.approx(760 / 2785)
    assert d["share_wages"] == pytest.approx(690 / 2785)
    assert d["share_wages_women"] == pytest.approx(309 / 2785)
    assert d["jobs"] == 1920
    stage_shares = [v for k, v in d.items() if k.startswith("share_stage:")]
    assert sum(stage_shares) == pytest.approx(1.0)


def test_price_buildup(small: chain.Chain) -> None:
    p = chain.price_buildup(small)
    price = {r.stage: r.value for r in p[p.indicator == "unit_price"].itertuples()}
    assert price == pytest.approx(
        {"production": 4.8, "aggregation": 1230 / 250, "processing": 2484 / 240, "retail": 14.0}
    )
    shares = p[p.indicator == "share_of_final_price"]["value"]
    assert shares.sum() == pytest.approx(1.0)
    assert shares.iloc[0] == pytest.approx(4.8 / 14)


def test_governance_types(small: chain.Chain) -> None:
    g = chain.governance(small).set_index(["source", "target"])
    assert g.loc[("farmers", "coop"), "implied"] == "relational"
    assert g.loc[("farmers", "traders"), "implied"] == "market"
    assert g.loc[("coop", "roaster"), "implied"] == "captive"
    assert g.loc[("coop", "roaster"), "assessment"] == "differs"
    assert g.loc[("traders", "roaster"), "assessment"] == "unstable combination"
    assert g.loc[("roaster", "shops"), "implied"] == "hierarchy"
    assert g.loc[("roaster", "export"), "assessment"] == "no evidence"
    assert ("coop", "traders") not in g.index  # horizontal link


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (("low", "high", "high"), "market"),
        (("high", "high", "high"), "modular"),
        (("high", "low", "high"), "relational"),
        (("high", "high", "low"), "captive"),
        (("high", "low", "low"), "hierarchy"),
        (("low", "low", "high"), None),
        (("low", "low", "low"), None),
        (("low", "high", "low"), None),
    ],
)
def test_ghs_table(levels: tuple[str, str, str], expected: str | None) -> None:
    got = chain.implied_type(*(chain.Level(v) for v in levels))
    assert (got.value if got else None) == expected


def test_buyer_power(small: chain.Chain) -> None:
    power = chain.buyer_power(small)
    farmers = _ind(power, actor="farmers")
    assert farmers["buyers"] == 25
    assert farmers["buyer_hhi"] == pytest.approx(0.625**2 / 5 + 0.375**2 / 20)
    assert _ind(power, actor="coop") == pytest.approx(
        {"buyers": 2, "buyer_hhi": 0.5, "lead_firm_share": 1.0}
    )


def test_json_reads_like_yaml(tmp_path: Path, small: chain.Chain) -> None:
    p = tmp_path / "chain.json"
    p.write_text(json.dumps(yaml.safe_load(SMALL.read_text())))
    assert chain.read_chain(p) == small


def _broken(tmp_path: Path, edit: object) -> Path:
    data = yaml.safe_load(SMALL.read_text())
    edit(data["snapshots"][0])  # type: ignore[operator]
    p = tmp_path / "broken.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def _set(path: list[object], value: object):  # type: ignore[no-untyped-def]
    def edit(snap: dict) -> None:  # type: ignore[type-arg]
        target = snap
        for key in path[:-1]:
            target = target[key]  # type: ignore[index]
        target[path[-1]] = value  # type: ignore[index]

    return edit


@pytest.mark.parametrize(
    ("edit", "field", "needle"),
    [
        (
            _set(["actors", 1, "stage"], "farming"),
            "snapshots[0].actors[1].stage",
            "'farming' is not a stage",
        ),
        (
            _set(["links", 2, "target"], "nobody"),
            "snapshots[0].links[2].target",
            "'nobody' is not an actor or end market id",
        ),
        (
            _set(["links", 0, "currency"], "GBP"),
            "snapshots[0].links[0].currency",
            "no exchange rate",
        ),
        (
            _set(["actors", 0, "employment", "share_women"], 1.4),
            "snapshots[0].actors[0].employment.share_women",
            "less than or equal to 1",
        ),
        (
            _set(["links", 1, "volume"], -5),
            "snapshots[0].links[1].volume",
            "greater than or equal to 0",
        ),
        (_set(["actors", 0, "kind"], "farmer"), "snapshots[0].actors[0].kind", "smallholder"),
        (_set(["actors", 2, "id"], "coop"), "snapshots[0].actors[2]", "duplicate actor id"),
    ],
)
def test_bad_chain_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: object, field: str, needle: str
) -> None:
    p = _broken(tmp_path, edit)
    assert main(["chain", "check", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert err.startswith(f"error: {p}, row ")
    assert f"field {field}:" in err and needle in err


def test_error_names_the_yaml_line(tmp_path: Path) -> None:
    text = SMALL.read_text().replace("stage: retail\n", "stage: shop\n", 1)
    p = tmp_path / "c.yaml"
    p.write_text(text)
    line = text.splitlines().index("        stage: shop") + 1
    with pytest.raises(ChainError) as info:
        chain.read_chain(p)
    assert info.value.row == line


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("name: [unclosed\n", "invalid YAML"),
        ("- a\n- b\n", "not a mapping"),
        (
            "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]\n" for k in range(1, 10)),
            "once aliases are expanded",
        ),
        ("[" * 100 + "]" * 100, "nested deeper than 64 levels"),
        ("a: !!python/object/apply:os.getcwd []\n", "tag:yaml.org,2002:python/object"),
    ],
)
def test_unreadable_chain_files(tmp_path: Path, text: str, needle: str) -> None:
    p = tmp_path / "c.yaml"
    p.write_text(text)
    with pytest.raises(ChainError, match=needle):
        chain.read_chain(p)


def test_missing_snapshot_year(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chain", "accounts", str(SMALL), "--snapshot", "1999"]) == 2
    assert "no snapshot for 1999" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "columns"),
    [
        (["accounts"], "year,actor,kind,stage,indicator,value"),
        (["accounts", "--view", "distribution"], "year,indicator,value"),
        (["accounts", "--view", "prices"], "year,stage,indicator,value"),
        (
            ["governance"],
            "year,source,target,complexity,codifiability,supplier_capability,"
            "implied,observed,assessment",
        ),
        (["governance", "--view", "power"], "year,actor,indicator,value"),
    ],
)
def test_chain_commands(capsys: pytest.CaptureFixture[str], args: list[str], columns: str) -> None:
    assert main(["chain", args[0], str(SMALL), *args[1:]]) == 0
    assert capsys.readouterr().out.splitlines()[0] == columns


def test_chain_check_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chain", "check", str(SMALL)]) == 0
    out = capsys.readouterr().out
    assert "valid chain 'Test coffee chain'" in out and "5 actors, 8 links" in out


@pytest.mark.parametrize(
    ("old", "new", "suffix", "field"),
    [
        ("external_inputs: 200", "external_inputs: .inf", ".yaml", "actors[0].external_inputs"),
        ("external_inputs: 200", "external_inputs: 1e400", ".yaml", "actors[0].external_inputs"),
        ("taxes: 0", "taxes: -.inf", ".yaml", "actors[0].value_added_split.taxes"),
        ("EUR: 1.1", "EUR: .inf", ".yaml", "exchange_rates.EUR"),
        ('"external_inputs": 200', '"external_inputs": Infinity', ".json",
         "actors[0].external_inputs"),
        ('"external_inputs": 200', '"external_inputs": 1e400', ".json",
         "actors[0].external_inputs"),
    ],
)  # fmt: skip
def test_infinite_numbers_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, suffix: str,
    field: str,
) -> None:  # fmt: skip
    """An infinite figure was read and written on (``inf`` in the accounts' CSV, no value in
    the workbook): refused at its field, as the workbook reader refuses it."""
    text = SMALL.read_text(encoding="utf-8")
    if suffix == ".json":
        text = json.dumps(yaml.safe_load(text))
    assert text.count(old) >= 1, old
    p = tmp_path / f"chain{suffix}"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    out = tmp_path / "accounts.csv"
    assert main(["chain", "accounts", str(p), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"field snapshots[0].{field}: Input should be a finite number" in err, err
    assert not out.exists()


def _edited(tmp_path: Path, edit) -> chain.Chain:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(SMALL.read_text())
    edit(data["snapshots"][0])
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return chain.read_chain(path)


def test_value_added_per_job_counts_only_actors_with_jobs(tmp_path: Path) -> None:
    """An actor without employment figures adds neither jobs nor value added to the ratio (its
    value added over other actors' jobs would inflate it)."""

    def edit(snap: dict) -> None:  # type: ignore[type-arg]
        del snap["actors"][4]["employment"]  # shops: value added 650, jobs unknown

    d = _ind(chain.distribution(_edited(tmp_path, edit)))
    assert d["jobs"] == 1720
    assert d["value_added_per_job"] == pytest.approx((2785 - 650) / 1720)
    assert d["chain_value_added"] == pytest.approx(2785)  # the chain's total is unchanged


def test_price_buildup_leaves_out_sales_within_a_stage(tmp_path: Path) -> None:
    """A stage's price is what it sells at to the next stages and end markets: a trade between
    two actors of one stage (or an actor type's operators among themselves) is not its price."""

    def edit(snap: dict) -> None:  # type: ignore[type-arg]
        snap["links"] += [
            {"source": "coop", "target": "traders", "volume": 50, "unit_price": 1.5},
            {"source": "shops", "target": "shops", "volume": 20, "unit_price": 12.0},
        ]

    c = _edited(tmp_path, edit)
    p = chain.price_buildup(c)
    price = {r.stage: r.value for r in p[p.indicator == "unit_price"].itertuples()}
    assert price == pytest.approx(
        {"production": 4.8, "aggregation": 1230 / 250, "processing": 2484 / 240, "retail": 14.0}
    )
    # the accounts still count those sales (they cancel in the chain's value added)
    d = _ind(chain.distribution(c))
    assert d["chain_value_added"] == pytest.approx(2785)
