"""Wide tables: labels read as written, primary-input rows, options the reader does not take."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gvckit.icio as icio
from gvckit.errors import InputError, OptionError
from gvckit.icio.readers.wide import WIOD2013_COUNTRIES


def _leather(leather_path: Path, rename: dict[str, str] | None = None) -> list[str]:
    """The leather table's lines, with country names replaced (in labels and column names)."""
    text = leather_path.read_text()
    for old, new in (rename or {}).items():
        text = text.replace(old, new)
    return text.splitlines()


def _cell(text: str) -> object:
    """A CSV cell as Excel holds it: a number, text, or nothing."""
    try:
        return float(text)
    except ValueError:
        return text or None


def _excel(tmp_path: Path, lines: list[str], name: str = "t.xlsx") -> Path:
    """``lines`` (CSV) as a sheet; cells that look like numbers are written as numbers."""
    rows = [line.split(",") for line in lines]
    cells = [[_cell(c) for c in r] for r in rows[1:]]
    p = tmp_path / name
    pd.DataFrame(cells, columns=rows[0], dtype=object).to_excel(p, index=False)
    return p


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_country_named_na(tmp_path: Path, leather_path: Path, suffix: str) -> None:
    """Namibia's code ``NA`` is a label, not a missing value (in a sheet as in a CSV)."""
    lines = _leather(leather_path, {"Turkey": "NA"})
    if suffix == ".csv":
        p = tmp_path / "na.csv"
        p.write_text("\n".join(lines) + "\n")
    else:
        p = _excel(tmp_path, lines)
    table = icio.read(p)
    assert table.entities == ("Argentina", "NA", "Germany")
    np.testing.assert_array_equal(table.Z, icio.read(leather_path).Z)


def _with_value_added(lines: list[str], blanks: str) -> list[str]:
    """``lines`` plus a value-added row whose final-demand and output cells are ``blanks``."""
    va = [f"{k}.5" for k in range(9)]
    return [*lines, ",VA," + ",".join(va) + "," + ",".join([blanks] * 4)]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_primary_input_row_blank_cells_read_as_zero(
    tmp_path: Path, leather_path: Path, suffix: str
) -> None:
    lines = _with_value_added(_leather(leather_path), "")
    if suffix == ".csv":
        p = tmp_path / "va.csv"
        p.write_text("\n".join(lines) + "\n")
    else:
        p = _excel(tmp_path, lines)
    table = icio.read(p)
    np.testing.assert_array_equal(table.primary_inputs["VA"], [k + 0.5 for k in range(9)])


def test_blank_cell_in_a_country_sector_row_is_still_an_error(
    tmp_path: Path, leather_path: Path
) -> None:
    lines = _leather(leather_path)
    cells = lines[2].split(",")
    cells[-2] = ""
    lines[2] = ",".join(cells)
    p = tmp_path / "blank.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"blank.csv, row 3, column 'Germany': not a number"):
        icio.read(p)


def test_excel_blank_label_names_the_cell(tmp_path: Path, leather_path: Path) -> None:
    lines = _leather(leather_path)
    lines[5] = "," + lines[5].split(",", 1)[1]  # Turkey's second row loses its country
    p = _excel(tmp_path, lines, "blank.xlsx")
    with pytest.raises(InputError, match=r"blank.xlsx, row 6, column 'country': empty label"):
        icio.read(p)


SMALL = """country,industry,AAA_01,AAA_02,BBB_01,BBB_02,AAA,BBB
AAA,01,1,2,3,4,10,5
AAA,02,2,1,1,2,8,6
BBB,01,1,1,2,3,4,12
BBB,02,3,1,2,1,5,9
"""


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_sector_codes_keep_leading_zeros(tmp_path: Path, sep: str) -> None:
    p = tmp_path / "codes.csv"
    p.write_text(SMALL.replace(",", sep))
    table = icio.read(p)
    assert table.sectors == ("01", "02")
    assert table.entities == ("AAA", "BBB")
    np.testing.assert_array_equal(table.x, [25, 20, 23, 21])


def test_year_option_is_refused_for_a_wide_table(leather_path: Path) -> None:
    with pytest.raises(OptionError, match=r"'year' does not apply to wide.*applies to OECD"):
        icio.read(leather_path, year=2011)
    assert icio.read(leather_path, year=None).entities[0] == "Argentina"


def test_sheet_option_is_refused_for_a_csv_file(leather_path: Path) -> None:
    with pytest.raises(OptionError, match="'sheet' applies to Excel workbooks"):
        icio.read(leather_path, sheet="table")


def test_wiod2013_country_list() -> None:
    assert len(WIOD2013_COUNTRIES) == len(set(WIOD2013_COUNTRIES)) == 41
    assert WIOD2013_COUNTRIES[:2] == ("AUS", "AUT")
    assert WIOD2013_COUNTRIES[-2:] == ("USA", "RoW") and "ROM" in WIOD2013_COUNTRIES


def test_year_is_the_last_one_in_the_file_name(tmp_path: Path, leather_path: Path) -> None:
    p = tmp_path / "wiod2013_2011.csv"
    p.write_bytes(leather_path.read_bytes())
    assert icio.read(p).meta.year == 2011
