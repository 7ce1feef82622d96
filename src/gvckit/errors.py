"""The one exception hierarchy of gvckit.

Every error that gvckit raises on purpose derives from :class:`GvcError`. The command-line
interface prints such errors as one line on stderr and exits with code 2; anything else is a bug
and exits with code 1.

- :class:`InputError` — a file or value given by the user is not what was expected. It carries
  where (file, row, column) and what was expected, so that the message points at the cell.
- :class:`TableError` — an input-output table is inconsistent (shapes, labels, numbers).
- :class:`OptionError` — an option or argument is invalid (unknown measure, bad group, ...).
- :class:`OutputError` — a result could not be written.
- :class:`ChainError` — a value chain description is invalid (names the field and line).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "ChainError",
    "GvcError",
    "InputError",
    "OptionError",
    "OutputError",
    "TableError",
]


class GvcError(Exception):
    """Base class of every error gvckit raises on purpose."""


class InputError(GvcError):
    """Bad input: names the file, the row and column where known, and what was expected.

    ``row`` is the 1-based line (CSV) or row (spreadsheet) in the file, ``column`` the header
    label or 1-based position. ``found`` is the offending content, shortened.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | str | None = None,
        column: int | str | None = None,
        expected: str | None = None,
        found: object = None,
        field: str | None = None,
    ) -> None:
        self.reason = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.field = field
        self.expected = expected
        self.found = found
        #: (block, i, j) indices into the table's arrays, for readers that map them to file cells
        self.position: tuple[str, int, int] | None = None
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            col = self.column
            where.append(f"column {col!r}" if isinstance(col, str) else f"column {col}")
        if self.field is not None:
            where.append(f"field {self.field}")
        text = self.reason
        if self.expected is not None:
            text += f": expected {self.expected}"
        if self.found is not None:
            shown = repr(self.found)
            if len(shown) > 60:
                shown = shown[:57] + "..."
            text += f", found {shown}"
        return f"{', '.join(where)}: {text}" if where else text

    def located(self, file: str | Path, lines: Mapping[str, int | str] | None = None) -> InputError:
        """The same error, attributed to ``file`` (used when a reader re-raises); ``lines``
        maps a row label (``'AUS_c3'``) to its line in the file, shown as ``'12 (AUS_c3)'``."""
        row = self.row
        if lines is not None and isinstance(row, str) and row in lines:
            row = f"{lines[row]} ({row})"
        return InputError(
            self.reason,
            file=file,
            row=row,
            column=self.column,
            expected=self.expected,
            found=self.found,
            field=self.field,
        )


class TableError(InputError):
    """An input-output table is inconsistent (shapes, labels or numbers).

    Raised by the table constructor; ``row`` and ``column`` are then labels of the table (for
    example ``row='AUS_c3'``, ``column='DEU_c5'``). Readers re-raise it with file positions.
    """


class ChainError(InputError):
    """A value chain description is invalid; ``field`` is the path of the offending entry
    (e.g. ``snapshots[0].actors[2].stage``) and ``row`` its line (or sheet row)."""


class OptionError(GvcError):
    """An option or argument has an invalid value."""


class OutputError(GvcError):
    """A result could not be written."""
