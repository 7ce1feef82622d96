"""An Excel workbook for a user's own input-output table: writing the blank template, reading
it back.

Sheets: ``instructions``; ``about`` (source, year, unit, price basis); ``Z`` (intermediate use:
rows = producing country and sector in columns A-B, columns = using country and sector in rows
1-2); ``Y`` (final demand: columns = destination country and category, then an optional
``output`` column of published gross output); ``VA`` (value added and other primary inputs:
one row per component named in column A, columns as in ``Z``). Numbers start at C3; an empty
cell is 0. Reading checks the labels of every block against ``Z`` and the cells, and builds the
table like any other reader; an error names the sheet and the cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gvckit.errors import InputError, OptionError, TableError
from gvckit.files import DEFAULT_MAX_BYTES, ByteProgress, atomic_write
from gvckit.icio.readers._cells import check_final_demand
from gvckit.icio.readers._sheets import Book, is_blank, letter, numbers, open_book, text
from gvckit.icio.table import IcioTable, OutputBasis, TableMeta, inventory_categories
from gvckit.limits import table_workbook_limits

__all__ = ["MARKER", "read_template", "sniff_template", "write_template"]

MARKER = "gvckit input-output table template"
SHEETS = ("instructions", "about", "Z", "Y", "VA")
ABOUT = ("source", "year", "unit", "price_basis", "notes")
INSTRUCTIONS = (
    MARKER,
    "",
    "Fill in your table's numbers in the sheets Z, Y and VA (from cell C3); leave a cell empty"
    " for zero. Use one unit throughout (e.g. millions of US$) and say which in 'about'.",
    "Z - intermediate use: each row is a producing country and sector (columns A-B), each"
    " column a using country and sector (rows 1-2).",
    "Y - final demand: rows as in Z; each column a destination country and final-demand"
    " category. The last column, 'output', is optional: published gross output, used only to"
    " check the table's balance.",
    "VA - value added and other primary inputs: one row per component (e.g. compensation of"
    " employees, taxes less subsidies on products), named in column A; add rows below as"
    " needed; columns as in Z. Optional: value added is also derived as output minus inputs.",
    "about - where the numbers come from: source, year, unit, price basis (optional).",
    "Do not edit the grey label cells: gvckit checks them against each other when it reads the"
    " workbook, and names the sheet and cell of anything it cannot read.",
    "Read the table with: gvckit table info THIS_FILE.xlsx (the format is recognised).",
)


def sniff_template(sheets: Sequence[str], first_cell: object = None) -> bool:
    """True for a workbook written by :func:`write_template`."""
    return {"Z", "Y", "instructions"} <= set(sheets) or text(first_cell) == MARKER


def _labels(name: str, values: Sequence[str]) -> list[str]:
    out = [str(v).strip() for v in values]
    if not out or any(not v for v in out):
        raise OptionError(f"--{name}: give a comma-separated list of non-empty labels")
    dup = next((v for k, v in enumerate(out) if v in out[:k]), None)
    if dup is not None:
        raise OptionError(f"--{name}: {dup!r} is given twice")
    return out


def write_template(
    path: str | Path,
    countries: Sequence[str],
    sectors: Sequence[str],
    categories: Sequence[str] = ("FD",),
) -> None:
    """Write the blank template for ``countries`` × ``sectors`` to ``path`` (atomically)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    cs = _labels("countries", countries)
    ss = _labels("sectors", sectors)
    fd = _labels("final-demand", categories)
    grey = PatternFill("solid", fgColor="D9D9D9")
    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "instructions"
    for line in INSTRUCTIONS:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120
    for row in ws.iter_rows(min_row=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    about = wb.create_sheet("about")
    about.append(["field", "value"])
    for f in ABOUT:
        about.append([f, None])
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 60
    rows = [(c, s) for c in cs for s in ss]
    blocks = {
        "Z": (["country", "sector"], rows, [c for c, _ in rows], [s for _, s in rows]),
        "Y": (
            ["country", "sector"],
            rows,
            [c for c in cs for _ in fd],
            [f for _ in cs for f in fd],
        ),
        "VA": (["component", ""], [("VA", "")], [c for c, _ in rows], [s for _, s in rows]),
    }
    for name, (corner, body, top, second) in blocks.items():
        sh = wb.create_sheet(name)
        extra = (["output"], ["(optional)"]) if name == "Y" else ([], [])
        sh.append([None, "country", *top, *extra[0]])
        sh.append([*corner, *second, *extra[1]])
        for label in body:
            sh.append(list(label))
        for row in sh.iter_rows(max_row=2 + len(body)):
            for cell in row:
                if cell.row <= 2 or cell.column <= 2:
                    cell.fill, cell.font = grey, bold
        sh.freeze_panes = "C3"
        sh.column_dimensions["A"].width = 14
        sh.column_dimensions["B"].width = 14
    with atomic_write(path, "wb") as fh:
        wb.save(fh)


def read_template(
    path: str | Path,
    *,
    output_basis: OutputBasis = "rows",
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ByteProgress | None = None,
) -> IcioTable:
    """Read a template workbook filled in by the user (see the module docstring), within the
    limits of :func:`gvckit.limits.table_workbook_limits` (``max_bytes`` bounds the bytes its
    parts inflate to as well)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", file=path)
    limits = table_workbook_limits()
    with open_book(path, str(path), max_bytes, kind="xlsx", limits=limits) as book:
        for sheet in ("Z", "Y", "VA"):
            book.require(sheet, "the sheets of the template (gvckit table template)")
        grids = {s: list(book.rows(s, progress if s == "Z" else None)) for s in ("Z", "Y", "VA")}
        about = list(book.rows("about")) if "about" in book.sheetnames else []
        return _table(book, grids, about, path, output_basis)


def _header(grid: list[list[object]], where: str, rows: int = 2) -> list[list[str]]:
    """The two header rows from column C, as text; the sheet must have them."""
    if len(grid) < rows or len(grid[0]) < 3:
        raise InputError(
            "the sheet has no header rows", file=where, row=1, expected="labels in rows 1-2"
        )
    return [[text(v) for v in grid[r][2:]] for r in range(rows)]


def _z_layout(grid: list[list[object]], where: str) -> tuple[list[str], list[str]]:
    """Countries and sectors from the header of Z (country-major, same sectors each)."""
    top, second = _header(grid, where)
    while top and not top[-1] and not second[-1]:
        top.pop()
        second.pop()
    if not top:
        raise InputError("no columns", file=where, row=1, expected="country labels from C1")
    countries = list(dict.fromkeys(top))
    sectors = [s for c, s in zip(top, second, strict=True) if c == countries[0]]
    twice = next((k for k, s in enumerate(sectors) if s and s in sectors[:k]), None)
    if twice is not None:
        raise InputError(
            f"duplicate sector {sectors[twice]!r} for {countries[0]!r}",
            file=where,
            row=2,
            column=letter(top.index(countries[0]) + twice + 2),
            expected="each sector once per country",
        )
    for k, (c, s) in enumerate(zip(top, second, strict=True)):
        want = (countries[k // len(sectors)] if k // len(sectors) < len(countries) else "",
                sectors[k % len(sectors)])  # fmt: skip
        if (c, s) != want or not c or not s:
            raise InputError(
                "columns are not country-major with the same sectors in each country",
                file=where,
                row=1 if c != want[0] else 2,
                column=letter(k + 2),
                expected=f"{want[0]} / {want[1]}",
                found=f"{c} / {s}",
            )
    if len(top) != len(countries) * len(sectors):  # the last country lacks sectors
        k = len(top)
        raise InputError(
            "columns do not form countries × sectors",
            file=where,
            row=2,
            column=letter(k + 2),
            expected=f"{countries[k // len(sectors)]} / {sectors[k % len(sectors)]}",
        )
    return countries, sectors


def _body(
    grid: list[list[object]], where: str, labels: list[tuple[str, str]] | None, width: int
) -> tuple[list[tuple[str, str, int]], np.ndarray]:
    """The rows from row 3: their labels and sheet row numbers (labels checked against
    ``labels`` when given) and numbers (``width`` columns from C). Rows without numbers are
    skipped when ``labels`` is None (VA components)."""
    found: list[tuple[str, str, int]] = []
    values: list[np.ndarray] = []
    for r in range(2, len(grid)):
        row = grid[r] + [None] * max(0, 2 + width - len(grid[r]))
        cells = row[2 : 2 + width]
        label = (text(row[0]), text(row[1]))
        if all(is_blank(v) for v in row[: 2 + width]):
            continue
        if labels is None and all(is_blank(v) for v in cells):
            continue
        if labels is not None:
            k = len(found)
            want = labels[k] if k < len(labels) else None
            if label != want:
                raise InputError(
                    "rows are not those of Z, in the same order",
                    file=where,
                    row=r + 1,
                    column="A" if want is None or label[0] != want[0] else "B",
                    expected=f"{want[0]} / {want[1]}" if want else "no more rows",
                    found=f"{label[0]} / {label[1]}",
                )
        elif not label[0]:
            raise InputError(
                "value-added row without a name", file=where, row=r + 1, column="A",
                expected="the component's name (e.g. VA, compensation of employees)",
            )  # fmt: skip
        found.append((*label, r + 1))
        values.append(numbers(cells, r, 2, where, "table cell", blank_as_zero=True))
    if labels is not None and len(found) < len(labels):
        raise InputError(
            f"{len(found)} rows",
            file=where,
            row=len(grid) + 1,
            expected=f"the {len(labels)} rows of Z; missing {labels[len(found)][0]} /"
            f" {labels[len(found)][1]}",
        )
    return found, np.array(values).reshape(len(values), width)


def _columns_as_z(
    header: list[list[str]], z_top: list[str], z_second: list[str], where: str
) -> None:
    """The VA header must repeat Z's column labels."""
    top, second = header
    for k, want in enumerate(zip(z_top, z_second, strict=True)):
        got = (top[k] if k < len(top) else "", second[k] if k < len(second) else "")
        if got != want:
            raise InputError(
                "columns are not those of Z",
                file=where,
                row=1 if got[0] != want[0] else 2,
                column=letter(k + 2),
                expected=f"{want[0]} / {want[1]}",
                found=f"{got[0]} / {got[1]}",
            )


def _final_columns(
    header: list[list[str]], countries: list[str], where: str
) -> tuple[list[tuple[int, str, str]], int | None]:
    """``(k, destination, category)`` of the Y columns and the position of ``output``."""
    top, second = header
    cols: list[tuple[int, str, str]] = []
    output = None
    for k, (d, c) in enumerate(zip(top, second, strict=True)):
        if d.lower() == "output":
            output = k
        elif d or c:
            if d not in countries or not c:
                raise InputError(
                    "final-demand column is not a country and category of the table",
                    file=where,
                    row=1 if d not in countries else 2,
                    column=letter(k + 2),
                    expected=f"a country of Z ({', '.join(countries)}) and a category",
                    found=f"{d} / {c}",
                )
            cols.append((k, d, c))
    if not cols:
        raise InputError("no final-demand columns", file=where, row=1, expected="columns from C1")
    return cols, output


def _table(
    book: Book,
    grids: dict[str, list[list[object]]],
    about: list[list[object]],
    path: Path,
    basis: OutputBasis,
) -> IcioTable:
    wz, wy, wv = book.where("Z"), book.where("Y"), book.where("VA")
    countries, sectors = _z_layout(grids["Z"], wz)
    n = len(countries) * len(sectors)
    z_top, z_second = (
        [c for c in countries for _ in sectors],
        [s for _ in countries for s in sectors],
    )
    labels = list(zip(z_top, z_second, strict=True))
    _, Z = _body(grids["Z"], wz, labels, n)
    yhead = _header(grids["Y"], wy)
    cols, out = _final_columns(yhead, countries, wy)
    width = max([k for k, _, _ in cols] + ([out] if out is not None else [])) + 1
    _, yvals = _body(grids["Y"], wy, labels, width)
    dests = list(dict.fromkeys(d for _, d, _ in cols))
    cats = list(dict.fromkeys(c for _, _, c in cols))
    Y = np.zeros((n, len(dests), len(cats)))
    seen: set[tuple[str, str]] = set()
    for k, d, c in cols:
        if (d, c) in seen:
            raise InputError("duplicate final-demand column", file=wy, row=2, column=letter(k + 2))
        seen.add((d, c))
        Y[:, dests.index(d), cats.index(c)] = yvals[:, k]
    check_final_demand([(d, c) for _, d, c in cols], wy, row=2)
    given = None
    if out is not None and any(
        not is_blank(r[2 + out]) for r in grids["Y"][2:] if len(r) > 2 + out
    ):
        given = yvals[:, out]
    _columns_as_z(_header(grids["VA"], wv), z_top, z_second, wv)
    names, vvals = _body(grids["VA"], wv, None, n)
    primaries: dict[str, np.ndarray] = {}
    for (name, _, row), vec in zip(names, vvals, strict=True):
        if name in primaries:
            raise InputError(f"second value-added row {name!r}", file=wv, row=row, column="A")
        primaries[name] = vec
    if not Z.any() and not Y.any():
        raise InputError(
            "the table is empty", file=wz, expected="numbers in the Z and Y sheets (from C3)"
        )
    meta = _meta(about, path, book.where("about"), cats)
    try:
        return IcioTable(
            entities=countries, sectors=sectors, Z=Z, Y=Y, destinations=dests, categories=cats,
            output=given, primary_inputs=primaries, output_basis=basis, meta=meta, copy=False,
        )  # fmt: skip
    except TableError as err:
        rows = [f"{c}_{s}" for c, s in labels]
        at, where, column = err.row, wz, err.column
        if isinstance(at, str) and at in rows:
            at = f"{3 + rows.index(at)} ({at})"
        if err.position is not None and err.position[0] == "output" and out is not None:
            where, column = wy, letter(2 + out)  # the published output column of Y
        raise InputError(
            err.reason, file=where, row=at, column=column, expected=err.expected, found=err.found
        ) from None


def _meta(
    about: list[list[object]], path: Path, where: str, categories: Sequence[str]
) -> TableMeta:
    """Provenance from the ``about`` sheet (field, value); inventory categories recognised by
    their labels (``INVNT``, "changes in inventories" ...)."""
    fields = {text(r[0]).lower(): r[1] for r in about[1:] if len(r) > 1 and not is_blank(r[0])}
    year = fields.get("year")
    if not is_blank(year):
        try:
            year = int(float(str(year)))
        except ValueError:
            row = 1 + next(k for k, r in enumerate(about) if text(r[0]).lower() == "year")
            raise InputError(
                "not a year", file=where, row=row, column="B", expected="a year", found=year
            ) from None
    notes = text(fields.get("notes"))
    return TableMeta(
        source=text(fields.get("source")) or "user table (gvckit template)",
        year=year if isinstance(year, int) else None,
        unit=text(fields.get("unit")) or "unspecified",
        price_basis=text(fields.get("price_basis")) or None,
        file=path.name,
        notes=(notes,) if notes else (),
        inventories=inventory_categories(categories),
    )
