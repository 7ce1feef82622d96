"""The intervention's sheets of the chain workbook: written, filled in, read back; cells that
would be lost or misread are refused by sheet, row and column."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gvckit.chain import read_chain
from gvckit.chain.workbook import write_template
from gvckit.cli import main
from gvckit.errors import InputError
from gvckit.interventions.typology import Intervention, read_intervention
from gvckit.interventions.workbook import (
    SHEET,
    SOURCES_SHEET,
    add_intervention_sheet,
    read_intervention_sheet,
)

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted((ROOT / "examples" / "interventions").glob("*.yaml"))
INTERVENTIONS = [p for p in EXAMPLES if p.stem.endswith("_intervention")]
CHAIN = ROOT / "tests" / "data" / "chain_small.yaml"
HONDURAS = ROOT / "examples" / "interventions" / "honduras_ftda_intervention.yaml"


def _book(tmp_path: Path, iv: Intervention | None) -> Path:
    xlsx = tmp_path / "chain.xlsx"
    write_template(xlsx, read_chain(CHAIN), extra=[lambda wb: add_intervention_sheet(wb, iv)])
    return xlsx


def _row(ws: object, field: str) -> int:
    return next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == field)  # type: ignore[attr-defined]


def test_every_intervention_example_is_covered() -> None:
    assert len(INTERVENTIONS) >= 4
    assert HONDURAS in INTERVENTIONS
    assert any(read_intervention(p).sources for p in INTERVENTIONS)


@pytest.mark.parametrize("path", INTERVENTIONS, ids=lambda p: p.stem)
def test_every_example_round_trips_through_the_workbook(tmp_path: Path, path: Path) -> None:
    # the Honduras intervention (sources with citation, table, page, url) could not be read
    # back: "field sources[0]: Input should be a valid dictionary or instance of Source"
    original = read_intervention(path)
    xlsx = _book(tmp_path, original)
    assert read_intervention(xlsx) == original
    assert read_intervention_sheet(xlsx.read_bytes(), name="up.xlsx") == original
    assert read_chain(xlsx) == read_chain(CHAIN)  # the chain's own sheets are unchanged


def test_sources_are_one_row_each_on_their_sheet(tmp_path: Path) -> None:
    iv = read_intervention(HONDURAS)
    wb = load_workbook(_book(tmp_path, iv))
    rows = list(wb[SOURCES_SHEET].values)
    assert rows[0] == ("citation", "table", "page", "url")
    assert len(rows) == 1 + len(iv.sources)
    for row, source in zip(rows[1:], iv.sources, strict=True):
        assert row == (source.citation, source.table, source.page, source.url)
    ws = wb[SHEET]
    note = ws.cell(_row(ws, "sources"), 3).value
    assert ws.cell(_row(ws, "sources"), 2).value is None and SOURCES_SHEET in note


def _template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    xlsx = tmp_path / "t.xlsx"
    assert main(["chain", "template", "-o", str(xlsx)]) == 0
    capsys.readouterr()
    return xlsx


def _fill(wb: object, **fields: object) -> None:
    ws = wb[SHEET]  # type: ignore[index]
    for field, value in fields.items():
        ws.cell(_row(ws, field.replace("__", ".")), 2).value = value


def test_filled_empty_template_with_sources_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx = _template(tmp_path, capsys)
    wb = load_workbook(xlsx)
    assert wb.sheetnames[-2:] == [SHEET, SOURCES_SHEET]
    _fill(wb, id="iv-9", title="Training")
    wb[SOURCES_SHEET].append(["NORC (2012) Final report", "Table 3", 12, "https://x.org/r"])
    wb[SOURCES_SHEET].append(["MCC (2014) Summary", None, 7.0, None])
    wb.save(xlsx)
    iv = read_intervention(xlsx)
    assert [s.model_dump() for s in iv.sources] == [
        {"citation": "NORC (2012) Final report", "table": "Table 3", "page": "12",
         "url": "https://x.org/r"},
        {"citation": "MCC (2014) Summary", "table": None, "page": "7", "url": None},
    ]  # fmt: skip
    assert main(["intervention", "check", str(xlsx)]) == 0


def test_citations_in_the_sources_row_of_an_older_template_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the reviewer's repro: "field sources[0]: Input should be a valid dictionary or instance
    # of Source"; a template written before the sources sheet has only this row
    xlsx = _template(tmp_path, capsys)
    wb = load_workbook(xlsx)
    del wb[SOURCES_SHEET]
    _fill(wb, id="iv-9", title="Training", sources="NORC (2012) Final report; MCC (2014)")
    wb.save(xlsx)
    iv = read_intervention(xlsx)
    assert [s.citation for s in iv.sources] == ["NORC (2012) Final report", "MCC (2014)"]
    assert all(s.table is s.page is s.url is None for s in iv.sources)


def _honduras(tmp_path: Path, edit: Callable[[object], None]) -> Path:
    xlsx = _book(tmp_path, read_intervention(HONDURAS))
    wb = load_workbook(xlsx)
    edit(wb)
    wb.save(xlsx)
    return xlsx


def _title_twice(wb: object) -> None:
    wb[SHEET].append(["title", "Another title"])  # type: ignore[index]


def _budget_currency_twice(wb: object) -> None:
    ws = wb[SHEET]  # type: ignore[index]
    ws.insert_rows(3)
    ws["A3"], ws["B3"] = "budget.currency", "EUR"


def _sources_twice(wb: object) -> None:
    _fill(wb, sources="NORC (2012)")


def _date_title(wb: object) -> None:
    _fill(wb, title=datetime.datetime(2012, 5, 1))


def _true_amount(wb: object) -> None:
    _fill(wb, budget__amount=True)


def _error_amount(wb: object) -> None:
    _fill(wb, budget__amount="#DIV/0!")


def _error_citation(wb: object) -> None:
    wb[SOURCES_SHEET]["A3"].value = "#N/A"  # type: ignore[index]


def _date_page(wb: object) -> None:
    wb[SOURCES_SHEET]["C2"].value = datetime.date(2012, 3, 4)  # type: ignore[index]


def _true_in_list(wb: object) -> None:
    _fill(wb, beneficiaries__sectors=False)


def _value_beyond_columns(wb: object) -> None:
    ws = wb[SHEET]  # type: ignore[index]
    ws.cell(_row(ws, "title"), 4).value = "a second title"


def _value_without_field(wb: object) -> None:
    wb[SHEET].append([None, "lost"])  # type: ignore[index]


def _unknown_field(wb: object) -> None:
    wb[SHEET].append(["budget.amout", 5])  # type: ignore[index]


def _source_without_citation(wb: object) -> None:
    wb[SOURCES_SHEET].append([None, "Table 9"])  # type: ignore[index]


def _source_column_twice(wb: object) -> None:
    wb[SOURCES_SHEET]["E1"].value = "page"  # type: ignore[index]


def _source_unknown_column(wb: object) -> None:
    ws = wb[SOURCES_SHEET]  # type: ignore[index]
    ws["E1"].value, ws["E2"].value = "author", "NORC"


def _budget_without_currency(wb: object) -> None:
    _fill(wb, budget__currency=None)


@pytest.mark.parametrize(
    ("edit", "where", "needle"),
    [
        # each was read without a word (the later value won, the cell was read as text or
        # as 1.0, or lost) or refused without its row
        (_title_twice, f"[{SHEET}], row 44, column 'field'", "field 'title' is given twice"),
        (_budget_currency_twice, f"[{SHEET}], row 8, column 'field'",
         "field 'budget.currency' is given twice (also row 3)"),
        (_sources_twice, f"[{SHEET}], row 5, column 'value'", "given both here and on the sheet"),
        (_date_title, f"[{SHEET}], row 3, column 'value', field title", "a date or time"),
        (_true_amount, f"[{SHEET}], row 6, column 'value', field budget.amount", "TRUE/FALSE"),
        (_error_amount, f"[{SHEET}], row 6, column 'value'", "an error of the spreadsheet"),
        (_error_citation, f"[{SOURCES_SHEET}], row 3, column 'citation', field sources[1]",
         "an error of the spreadsheet"),
        (_date_page, f"[{SOURCES_SHEET}], row 2, column 'page'", "a date or time"),
        (_true_in_list, f"[{SHEET}], row 11, column 'value'", "TRUE/FALSE"),
        (_value_beyond_columns, f"[{SHEET}], row 3, column 'D'", "a column without a name"),
        (_value_without_field, f"[{SHEET}], row 44, column 'field'", "a value without a field"),
        (_unknown_field, f"[{SHEET}], row 44, column 'field'", "unknown field 'budget.amout'"),
        (_source_without_citation, f"[{SOURCES_SHEET}], row 5, column 'citation', field sources[3]",
         "Field required"),
        (_source_column_twice, f"[{SOURCES_SHEET}], row 1, column 'E'", "appears twice"),
        (_source_unknown_column, f"[{SOURCES_SHEET}], row 2, column 'author'",
         "Extra inputs are not permitted"),
        (_budget_without_currency, f"[{SHEET}], row 7, column 'value', field budget.currency",
         "Field required"),
    ],
)  # fmt: skip
def test_cells_that_would_be_lost_or_misread_are_refused_by_sheet_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Callable[[object], None],
    where: str, needle: str,
) -> None:  # fmt: skip
    xlsx = _honduras(tmp_path, edit)
    with pytest.raises(InputError):
        read_intervention_sheet(xlsx.read_bytes(), name="up.xlsx")
    assert main(["intervention", "check", str(xlsx)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert err.startswith(f"error: {xlsx} {where}"), err
    assert needle in err, err
