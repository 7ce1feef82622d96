"""The WIOD sheet layout, shared by the WIOD releases and the ADB MRIO workbooks.

Layout of the published sheets (WIOD: Timmer et al. 2015, files ``WIOT09_ROW_Sep12.xlsx``,
``WIOT2014_Nov16_ROW.xlsb``; ADB MRIO workbooks follow it):

- title rows in column A, then header rows over the data columns; the last two are the country
  row (``AUS``) and the code row (``c1`` ... ``c35``; final demand ``c37 c38 c39 c41 c42`` in WIOD
  2013, ``c57`` ... ``c61`` in WIOD 2016, ``F1`` ... ``F5`` in ADB MRIO). WIOD also has the industry
  code row three rows above the code row (``AtB``/``A01``) and the description row two above;
- label columns A-D on every row: industry code, description, country, row code (``c1`` in WIOD
  2013 and ADB, ``r1`` in WIOD 2016); numbers from column E: intermediate use (country-major),
  final demand (country-major), then the total-output column;
- below the industry rows, the valuation rows: total intermediate consumption, taxes less
  subsidies on products, cif/fob adjustments on exports, direct purchases abroad by residents,
  purchases on the domestic territory by non-residents, value added at basic prices,
  international transport margins, output at basic prices.

Valuation rows are kept as primary inputs under the WIOD 2016 codes (``TXSP``, ``EXP_adj``,
``PURR``, ``PURNR``, ``VA``, ``IntTTM``) whatever the release; the totals (``II_fob``, ``GO``) are
sums and are not kept. Nothing relies on fixed positions: the header is found by its ``c1`` cell
in column E and the blocks by their labels, which are checked against each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Literal

import numpy as np

from gvckit.errors import InputError, TableError
from gvckit.icio.readers._sheets import is_blank, letter, numbers, text
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta

__all__ = ["VALUATION", "Parts", "parse_sheet", "valuation_name"]

#: Longest header searched for the code row.
HEAD_LIMIT = 20
FIRST = 4  # column E
#: Valuation rows: WIOD 2016 codes (column A), WIOD 2013 / ADB codes (column D), descriptions.
VALUATION = ("II_fob", "TXSP", "EXP_adj", "PURR", "PURNR", "VA", "IntTTM", "GO")
_BY_CODE = {"r60": "II_fob", "r99": "TXSP", "r61": "EXP_adj", "r62": "PURR", "r63": "PURNR",
            "r64": "VA", "trs": "IntTTM", "r69": "GO"}  # fmt: skip
_BY_TEXT = (
    ("intermediate", "II_fob"),
    ("taxes less subsidies", "TXSP"),
    ("cif", "EXP_adj"),
    ("purchases abroad", "PURR"),
    ("non-resident", "PURNR"),
    ("value added", "VA"),
    ("transport margin", "IntTTM"),
    ("output", "GO"),
)
TOTALS = {"II_fob", "GO"}

SectorLabels = Literal["code", "industry"]
#: Row codes of the WIOD 2016 release (``r1`` ...), whose sectors are labelled by industry code.
ROW_CODE_2016 = re.compile(r"^r\d+$")


def valuation_name(code: str, row_code: str, description: str) -> str:
    """The key of a valuation row, from its WIOD 2016 code, its row code or its description."""
    if code in VALUATION:
        return code
    if row_code.lower() in _BY_CODE:
        return _BY_CODE[row_code.lower()]
    low = description.lower()
    if low == "total":
        return "GO"
    for needle, name in _BY_TEXT:
        if needle in low:
            return name
    return description or code or row_code


@dataclass
class Parts:
    """The blocks of a published table, with the file position of each industry row."""

    entities: list[str]
    sectors: list[str]
    Z: np.ndarray
    Y: np.ndarray
    destinations: list[str]
    categories: list[str]
    output: np.ndarray | None
    primaries: dict[str, np.ndarray]
    where: str
    row_of: dict[str, str] = field(default_factory=dict)  # sector label → sheet row
    labels: SectorLabels = "code"

    def table(self, meta: TableMeta, basis: OutputBasis) -> IcioTable:
        """The validated table; a table error names the file row of the offending sector."""
        try:
            return IcioTable(
                entities=self.entities,
                sectors=self.sectors,
                Z=self.Z,
                Y=self.Y,
                destinations=self.destinations,
                categories=self.categories,
                output=self.output,
                primary_inputs=self.primaries,
                output_basis=basis,
                meta=meta,
                copy=False,
            )
        except TableError as err:
            raise err.located(self.where, self.row_of) from None


@dataclass(frozen=True)
class _Columns:
    """The data columns: intermediate use, final demand and output (0-based sheet columns)."""

    entities: list[str]
    sectors: list[str]  # labels used for the table
    codes: list[str]  # the code row of the first entity's columns
    final: list[tuple[int, str, str]]  # (column, destination, category)
    output: int | None
    labels: SectorLabels

    @property
    def n(self) -> int:
        return len(self.entities) * len(self.sectors)

    @property
    def end(self) -> int:
        """One past the last data column."""
        last = max([FIRST + self.n - 1, *(c for c, _, _ in self.final)])
        return max(last, self.output if self.output is not None else last) + 1


def _find_code_row(rows: Iterator[list[object]], where: str) -> list[list[object]]:
    """The rows up to and including the code row (``c1`` in column E)."""
    head: list[list[object]] = []
    for row in rows:
        head.append(row)
        if len(row) > FIRST and text(row[FIRST]).lower() == "c1":
            if len(head) < 2:
                break
            return head
        if len(head) >= HEAD_LIMIT:
            break
    raise InputError(
        "no header row with the code 'c1' in column E",
        file=where,
        row=len(head) if head else None,
        expected="the published layout: header rows with the country (row above) and the codes"
        " c1, c2, ... of the intermediate-use columns from column E",
    )


def _columns(head: list[list[object]], labels: SectorLabels, where: str) -> _Columns:
    """Classify the data columns from the country and code rows of the header."""
    h = len(head) - 1
    wide = max(len(r) for r in head)
    head = [r + [None] * (wide - len(r)) for r in head]  # short rows: a sheet without dimension
    codes = [text(v) for v in head[h]]
    countries = [text(v) for v in head[h - 1]]
    width = len(codes)
    first = countries[FIRST]
    if not first:
        raise InputError(
            "the first intermediate-use column has no country",
            file=where,
            row=h,
            column=letter(FIRST),
            expected="a country code above 'c1'",
        )
    N = next((k for k in range(FIRST, width) if countries[k] != first), width) - FIRST
    pattern = codes[FIRST : FIRST + N]
    twice = next((k for k, c in enumerate(pattern) if c in pattern[:k]), None)
    if twice is not None:
        raise InputError(
            f"duplicate code {pattern[twice]!r} among the intermediate-use columns of {first}",
            file=where,
            row=h + 1,
            column=letter(FIRST + twice),
            expected="each sector's code once per country",
        )
    entities: list[str] = []
    j = FIRST
    while j + N <= width and codes[j : j + N] == pattern and countries[j]:
        block = countries[j : j + N]
        if any(c != countries[j] for c in block) or countries[j] in entities:
            k = next((i for i, c in enumerate(block) if c != countries[j]), 0)
            raise InputError(
                "intermediate-use columns are not country-major with the same sectors",
                file=where,
                row=h,
                column=letter(j + k),
                expected=f"the {N} sectors of one country per block, each country once",
                found=block[k],
            )
        entities.append(countries[j])
        j += N
    known = set(pattern)
    if j < width and countries[j] not in ("", entities[0]) and known & set(codes[j : j + N]):
        # final demand starts with the first country again: this block is a broken one
        k = next((i for i in range(N) if j + i >= width or codes[j + i] != pattern[i]), 0)
        raise InputError(
            "intermediate-use columns are not country-major with the same sectors",
            file=where,
            row=h + 1,
            column=letter(j + k),
            expected=f"the codes {', '.join(pattern)} for {countries[j]} as for {first}",
            found=codes[j + k] if j + k < width else None,
        )
    final, output = _final_columns(countries, codes, head, j, set(entities), where)
    sectors = pattern
    if labels == "industry":
        sectors = [text(v) for v in head[h - 3][FIRST : FIRST + N]] if h >= 3 else []
        if len(sectors) < N or any(not s for s in sectors):
            raise InputError(
                "intermediate-use columns without an industry code",
                file=where,
                row=h - 2,
                expected="industry codes (A01, B, ...) three rows above the code row",
            )
    return _Columns(entities, sectors, pattern, final, output, labels)


def _final_columns(
    countries: list[str],
    codes: list[str],
    head: list[list[object]],
    start: int,
    entities: set[str],
    where: str,
) -> tuple[list[tuple[int, str, str]], int | None]:
    """Final-demand columns after the intermediate-use block, then the total-output column."""
    h = len(head) - 1
    final: list[tuple[int, str, str]] = []
    j = start
    while j < len(codes) and countries[j] in entities and codes[j]:
        final.append((j, countries[j], codes[j]))
        j += 1
    if not final and j < len(codes) and codes[j] and not countries[j]:
        raise InputError(
            "final-demand column without a country",
            file=where,
            row=h,
            column=letter(j),
            expected="the country of the final demand above its code",
        )
    if not final:
        raise InputError(
            "no final-demand columns after the intermediate-use columns",
            file=where,
            row=h + 1,
            column=letter(j),
            expected="columns of final demand by country (codes like c37 or F1)",
            found=codes[j] if j < len(codes) else None,
        )
    output = None
    if j < len(codes) and any(not is_blank(r[j]) for r in head[1:]):
        output = j
        j += 1
    rest = [k for k in range(j, len(codes)) if codes[k] or countries[k]]
    if rest:
        raise InputError(
            "unexpected column after the total-output column",
            file=where,
            row=h + 1,
            column=letter(rest[0]),
            expected="intermediate use, final demand of the table's countries, then total output",
            found=codes[rest[0]] or countries[rest[0]],
        )
    return final, output


def _demand(cols: _Columns, where: str, row: int) -> tuple[list[str], list[str]]:
    """Destinations and categories; every destination must have every category once."""
    dests = list(dict.fromkeys(d for _, d, _ in cols.final))
    cats = list(dict.fromkeys(c for _, _, c in cols.final))
    seen: set[tuple[str, str]] = set()
    for j, d, c in cols.final:
        if (d, c) in seen:
            raise InputError(
                "duplicate final-demand column", file=where, row=row, column=letter(j), found=c
            )
        seen.add((d, c))
    for d in dests:
        for c in cats:
            if (d, c) not in seen:
                raise InputError(
                    f"final demand of {d} has no column {c!r}",
                    file=where,
                    row=row,
                    expected=f"the categories {', '.join(cats)} for every country",
                )
    return dests, cats


def _check_row(
    row: list[object], r: int, entity: str, code: str, sector: str, labels: SectorLabels, where: str
) -> None:
    """An industry row's labels must be those of the column with the same position."""
    country = text(row[2])
    if country != entity:
        raise InputError(
            "industry rows are not in the order of the intermediate-use columns",
            file=where,
            row=r + 1,
            column="C",
            expected=f"country {entity!r}",
            found=country or None,
        )
    got, col, want = (
        (text(row[0]), "A", sector) if labels == "industry" else (text(row[3]), "D", code)
    )
    if got != want:
        raise InputError(
            "industry rows are not in the order of the intermediate-use columns",
            file=where,
            row=r + 1,
            column=col,
            expected=f"{'industry' if labels == 'industry' else 'code'} {want!r}",
            found=got or None,
        )


def parse_sheet(
    rows: Iterator[list[object]],
    where: str,
    *,
    labels: SectorLabels | Literal["auto"],
    blank_as_zero: bool,
) -> tuple[Parts, list[list[object]]]:
    """The blocks of a sheet in the WIOD layout, and its header rows (for titles).

    ``labels`` says where the sector labels are: ``"code"`` (c1 ... in the code row and column D)
    or ``"industry"`` (A01 ... three rows above the code row and in column A); ``"auto"``: by
    industry when the rows are coded ``r1`` ... as in the WIOD 2016 release. Empty cells of
    the industry rows read as 0 when ``blank_as_zero``; those of the valuation rows always do.
    """
    head = _find_code_row(rows, where)
    h = len(head) - 1
    first = next(rows, None)
    if labels == "auto":
        code = text(first[3]) if first is not None and len(first) > 3 else ""
        labels = "industry" if ROW_CODE_2016.match(code) else "code"
    rows = chain([first] if first is not None else [], rows)
    cols = _columns(head, labels, where)
    dests, cats = _demand(cols, where, h + 1)
    n, N, end = cols.n, len(cols.sectors), cols.end
    values = np.zeros((n, end - FIRST))
    row_of: dict[str, str] = {}
    r = h
    k = 0
    for row in rows:
        r += 1
        if k >= n:
            break
        entity, s = cols.entities[k // N], k % N
        if all(is_blank(v) for v in row[:end]):
            raise InputError(
                f"the industry rows end after {k} of {n} rows",
                file=where,
                row=r + 1,
                expected=f"{len(cols.entities)} countries × {N} sectors = {n} industry rows",
            )
        _check_row(row, r, entity, cols.codes[s], cols.sectors[s], cols.labels, where)
        cells = row[FIRST:end] + [None] * max(0, end - len(row))
        values[k] = numbers(cells, r, FIRST, where, "industry row", blank_as_zero)
        label = f"{entity}_{cols.sectors[s]}"
        row_of[label] = str(r + 1)
        k += 1
    else:
        row = []
    if k < n:
        raise InputError(
            f"the sheet ends after {k} of {n} industry rows",
            file=where,
            expected=f"{len(cols.entities)} countries × {N} sectors = {n} industry rows",
        )
    primaries, output_row = _valuation(row, r, rows, n, where)
    Y = np.zeros((n, len(dests), len(cats)))
    for j, d, c in cols.final:
        Y[:, dests.index(d), cats.index(c)] = values[:, j - FIRST]
    output = values[:, cols.output - FIRST] if cols.output is not None else output_row
    parts = Parts(
        entities=cols.entities,
        sectors=cols.sectors,
        Z=values[:, :n],
        Y=Y,
        destinations=dests,
        categories=cats,
        output=output,
        primaries=primaries,
        where=where,
        row_of=row_of,
        labels=cols.labels,
    )
    return parts, head


def _valuation(
    row: list[object], r: int, rows: Iterator[list[object]], n: int, where: str
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """The valuation rows after the industry rows (``row`` is the first, sheet row ``r``), up
    to the first empty row: primary inputs by key, and the output row if there is one."""
    primaries: dict[str, np.ndarray] = {}
    output_row = None
    first_at: dict[str, int] = {}
    while row and not all(is_blank(v) for v in row[: FIRST + n]):
        name = valuation_name(text(row[0]), text(row[3]), text(row[1]))
        if not name:
            name = f"row {r + 1}"
        if name in first_at:
            raise InputError(
                f"second valuation row {name!r} (first in row {first_at[name] + 1})",
                file=where,
                row=r + 1,
                column="B",
                expected="each valuation row once",
            )
        first_at[name] = r
        cells = row[FIRST : FIRST + n] + [None] * max(0, FIRST + n - len(row))
        vec = numbers(cells, r, FIRST, where, "valuation row", True)
        if name == "GO":
            output_row = vec
        elif name not in TOTALS:
            primaries[name] = vec
        row = next(rows, [])
        r += 1
    return primaries, output_row
