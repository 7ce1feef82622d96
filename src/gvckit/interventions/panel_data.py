"""Panel data for impact estimates: reading a treated/comparison panel from CSV and checking
it, with errors that name the file, line and column (estimation: :mod:`.impact`).

One row per unit and period; ``post`` the same for all units in a period (one treatment date)
and ``treated`` the same in all periods of a unit; rows with a missing outcome are dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from gvckit.errors import InputError, OptionError

__all__ = ["SYNONYMS", "Floats", "Ints", "Panel", "guess_columns", "panel_arrays", "read_panel"]

#: Largest panel file read (bytes): a firm panel of millions of rows fits; each cell becomes
#: a Python string, so a file this size takes some ten times as much memory.
MAX_BYTES = 128 * 1024**2
_MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "."})
_FLAGS = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1}
#: builds the error for (column, position, message, expected)
_Fail = Callable[[str, int, str, str], InputError]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Panel:
    """A validated panel as arrays (rows with a missing outcome dropped)."""

    y: Floats
    unit: Ints  # unit codes 0..n_units-1
    time: Floats  # time as a number (dates: years since the first date)
    treated: Ints
    post: Ints
    groups: Ints  # cluster codes

    @property
    def n_units(self) -> int:
        return int(self.unit.max()) + 1 if self.unit.size else 0

    @property
    def n_clusters(self) -> int:
        return len(np.unique(self.groups))

    def subset(self, keep: npt.NDArray[np.bool_]) -> Panel:
        unit = np.unique(self.unit[keep], return_inverse=True)[1].astype(np.int64)
        return Panel(
            self.y[keep], unit, self.time[keep], self.treated[keep], self.post[keep],
            self.groups[keep],
        )  # fmt: skip


#: Other names the panel columns often have (matched case-insensitively).
SYNONYMS = {
    "unit": (
        "unit",
        "id",
        "unit_id",
        "firm",
        "firm_id",
        "farm",
        "farm_id",
        "household",
        "household_id",
        "hh_id",
        "enterprise",
        "enterprise_id",
        "producer",
        "respondent",
    ),
    "time": ("time", "period", "year", "date", "round", "wave", "t"),
    "treated": ("treated", "treatment", "treat", "participant", "beneficiary", "d"),
    "post": ("post", "after", "post_period", "postperiod"),
    "outcome": ("outcome", "y", "income", "sales", "revenue", "yield", "profit", "value"),
}


def guess_columns(header: list[str], given: dict[str, str | None]) -> dict[str, str]:
    """The panel's column names: those ``given``, else the one header column among the role's
    :data:`SYNONYMS`, else the default name (which :func:`read_panel` then reports missing)."""
    lower = {h.strip().lower(): h.strip() for h in header}
    out: dict[str, str] = {}
    for role, names in SYNONYMS.items():
        chosen = given.get(role)
        if chosen:
            out[role] = chosen
            continue
        found = [lower[n] for n in names if n in lower and lower[n] not in out.values()]
        out[role] = found[0] if found else role
    return out


# -- reading ---------------------------------------------------------------------------------


def read_panel(
    path: str | Path,
    *,
    outcome: str = "outcome",
    unit: str = "unit",
    time: str = "time",
    treated: str = "treated",
    post: str = "post",
    cluster: str | None = None,
) -> pd.DataFrame:
    """Read a panel from a comma-separated file with a header row; errors name the file, the
    line (``row``) and the column.

    Required columns (names as given): ``unit`` (an id), ``time`` (a number such as a year or
    period, or an ISO date), ``treated`` and ``post`` (0/1 or true/false), ``outcome`` (a number;
    empty, NA or NaN for missing) and ``cluster`` if named. One row per unit and period;
    ``treated`` constant within a unit and ``post`` within a period. Other columns are kept
    (as numbers where every value is one).
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", file=p)
    if not p.is_file():  # a folder, a device (/dev/zero), a named pipe that would never end
        raise InputError("not a regular file", file=p, expected="a CSV file")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise InputError(f"the file is larger than {MAX_BYTES:,} bytes ({size:,} bytes)",
                         file=p, expected="a smaller panel")  # fmt: skip
    names = {"unit": unit, "time": time, "treated": treated, "post": post, "outcome": outcome}
    if cluster is not None:
        names["cluster"] = cluster
    header, records, lines = _read_csv(p)
    missing = [c for c in dict.fromkeys(names.values()) if c not in header]
    if missing:
        hint = ""
        if len(header) == 1 and any(sep in header[0] for sep in ";\t"):
            hint = " (the file must be comma-separated)"
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}"
            + hint,
            file=p,
            row=1,
            expected="columns " + ", ".join(dict.fromkeys(names.values())),
            found=", ".join(header),
        )
    cols = {h: [r[k] for r in records] for k, h in enumerate(header)}
    frame = pd.DataFrame({h: pd.Series(v, dtype=object) for h, v in cols.items()})

    def fail(col: str, k: int, message: str, expected: str) -> InputError:
        value = cols[col][k]
        return InputError(message, file=p, row=lines[k], column=col, expected=expected,
                          found=value)  # fmt: skip

    units: list[str] = []
    for k, cell in enumerate(cols[unit]):
        if not cell.strip():
            raise fail(unit, k, "missing unit id", "an id")
        units.append(cell.strip())
    frame[unit] = pd.Series(units, dtype=object)
    frame[time] = _parse_time(cols[time], fail, time)
    for col in (treated, post):
        flags: list[int] = []
        for k, cell in enumerate(cols[col]):
            flag = _FLAGS.get(cell.strip().lower())
            if flag is None:
                raise fail(col, k, f"not a {col} flag", "0 or 1 (or false/true)")
            flags.append(flag)
        frame[col] = np.array(flags, dtype=np.int64)
    values: list[float] = []
    for k, cell in enumerate(cols[outcome]):
        text = cell.strip()
        if text.lower() in _MISSING:
            values.append(math.nan)
            continue
        try:
            v = float(text)
        except ValueError:
            raise fail(outcome, k, "not a number", "a number (empty or NA if missing)") from None
        if not math.isfinite(v):
            raise fail(outcome, k, "not a finite number", "a number (empty or NA if missing)")
        values.append(v)
    frame[outcome] = np.array(values, dtype=np.float64)
    if cluster is not None:
        for k, cell in enumerate(cols[cluster]):
            if not cell.strip():
                raise fail(cluster, k, "missing cluster id", "an id")
    for h in header:
        if h not in names.values():
            try:
                frame[h] = pd.to_numeric(frame[h])
            except (ValueError, TypeError):
                frame[h] = frame[h].astype(str)
    _check_structure(frame, names, file=p, rows=lines)
    return frame


def _read_csv(p: Path) -> tuple[list[str], list[list[str]], list[int]]:
    records: list[list[str]] = []
    lines: list[int] = []
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = [h.strip() for h in next(reader, [])]
            if not any(header):
                raise InputError("the file is empty", file=p, expected="a header row")
            if len(header) == 1 and any(sep in header[0] for sep in ";\t"):
                raise InputError(
                    "the header has one column: the file must be comma-separated",
                    file=p,
                    row=1,
                    expected="columns separated by commas",
                    found=header[0],
                )
            dup = [h for h in header if header.count(h) > 1]
            if dup:
                raise InputError(f"duplicate column {dup[0]!r}", file=p, row=1, column=dup[0])
            for rec in reader:
                if not any(c.strip() for c in rec):
                    continue
                if len(rec) != len(header):
                    raise InputError(
                        f"{len(rec)} fields",
                        file=p,
                        row=reader.line_num,
                        expected=f"{len(header)} as in the header",
                    )
                records.append(rec)
                lines.append(reader.line_num)
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", file=p) from None
    except csv.Error as exc:
        raise InputError(f"invalid CSV ({exc})", file=p) from None
    if not records:
        raise InputError(
            "the file has no data rows", file=p, expected="one row per unit and period"
        )
    return header, records, lines


def _parse_time(cells: list[str], fail: _Fail, col: str) -> pd.Series:
    """Numbers (kept as integers when all are whole) or ISO dates, decided by the first cell."""
    first = cells[0].strip()
    try:
        float(first)
        numeric = True
    except ValueError:
        numeric = False
    if numeric:
        out: list[float] = []
        for k, cell in enumerate(cells):
            try:
                v = float(cell.strip())
            except ValueError:
                raise fail(
                    col, k, "not a number", "a number like the first (a year, period)"
                ) from None
            if not math.isfinite(v):
                raise fail(col, k, "not a finite number", "a year or period number")
            out.append(v)
        arr = np.array(out, dtype=np.float64)
        if np.all(arr == np.round(arr)):
            return pd.Series(arr.astype(np.int64))
        return pd.Series(arr)
    days: list[dt.date] = []
    for k, cell in enumerate(cells):
        try:
            days.append(dt.date.fromisoformat(cell.strip()))
        except ValueError:
            raise fail(col, k, "not a date", "an ISO date (YYYY-MM-DD) or a number") from None
    return pd.Series(pd.to_datetime(pd.Series(days, dtype=object)), dtype="datetime64[ns]")


def _check_structure(
    frame: pd.DataFrame, names: dict[str, str], *, file: Path | None, rows: Sequence[object]
) -> None:
    """One row per unit and period; treated constant within a unit, post within a period."""
    unit, time, treated, post = names["unit"], names["time"], names["treated"], names["post"]

    def err(k: int, message: str, column: str, expected: str, found: object = None) -> InputError:
        row = rows[k]
        return InputError(
            message, file=file, row=row if isinstance(row, int | str) else str(row),
            column=column, expected=expected, found=found,
        )  # fmt: skip

    keys = frame[unit].astype(str) + "\x00" + frame[time].astype(str)
    dup = keys.duplicated().to_numpy()
    if dup.any():
        k = int(np.argmax(dup))
        first = int(np.argmax((keys == keys.iloc[k]).to_numpy()))
        raise err(
            k,
            f"unit {frame[unit].iloc[k]!r} appears twice in period {frame[time].iloc[k]}"
            f" (also row {rows[first]})",
            time,
            "one row per unit and period",
        )
    for by, col, what in ((unit, treated, "unit"), (time, post, "period")):
        first_value = frame.groupby(frame[by].astype(str), sort=False)[col].transform("first")
        bad = (frame[col] != first_value).to_numpy()
        if bad.any():
            k = int(np.argmax(bad))
            hint = (
                " (one treatment date for all units: staggered adoption needs another estimator)"
                if col == post
                else ""
            )
            raise err(
                k,
                f"{col} changes within {what} '{frame[by].iloc[k]}'{hint}",
                col,
                f"the same {col} in every row of a {what}",
                found=frame[col].iloc[k].item(),
            )


def panel_arrays(
    frame: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treated: str,
    post: str,
    cluster: str | None,
) -> Panel:
    """Validate a DataFrame panel (errors name the column and index label) and return arrays."""
    if not isinstance(frame, pd.DataFrame):
        raise OptionError("the panel must be a pandas DataFrame")
    names = {"unit": unit, "time": time, "treated": treated, "post": post, "outcome": outcome}
    if cluster is not None:
        names["cluster"] = cluster
    for role, col in names.items():
        if col not in frame.columns:
            raise OptionError(
                f"no column {col!r} (the {role}) in the panel; columns: "
                + ", ".join(map(str, frame.columns))
            )
    rows = list(frame.index)
    for col in (unit, time, treated, post, *([cluster] if cluster else [])):
        miss = frame[col].isna().to_numpy()
        if miss.any():
            k = int(np.argmax(miss))
            raise InputError(f"missing {col}", row=rows[k], column=col, expected="a value")
    t = frame[time]
    if pd.api.types.is_datetime64_any_dtype(t):
        days = (t - t.min()).dt.days.to_numpy(dtype=np.float64)
        tnum = days / 365.25
    elif pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t):
        tnum = t.to_numpy(dtype=np.float64)
    else:
        raise InputError(
            "the time column holds neither numbers nor dates",
            column=time,
            expected="numbers (a year, a period) or dates",
            found=str(t.dtype),
        )
    flags: dict[str, Ints] = {}
    for col in (treated, post):
        values = frame[col]
        ok = values.isin([0, 1]).to_numpy()
        if not ok.all():
            k = int(np.argmax(~ok))
            raise InputError(
                f"not a {col} flag", row=rows[k], column=col, expected="0 or 1",
                found=values.iloc[k],
            )  # fmt: skip
        flags[col] = values.to_numpy(dtype=np.int64)
    y = frame[outcome]
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        raise InputError(
            "the outcome is not numeric", column=outcome, expected="numbers", found=str(y.dtype)
        )
    yv = y.to_numpy(dtype=np.float64, na_value=np.nan)
    inf = np.isinf(yv)
    if inf.any():
        k = int(np.argmax(inf))
        raise InputError("infinite outcome", row=rows[k], column=outcome, expected="a number")
    _check_structure(frame, names, file=None, rows=rows)
    keep = ~np.isnan(yv)
    units = pd.factorize(frame[unit][keep])[0].astype(np.int64)
    groups = pd.factorize(frame[cluster or unit][keep])[0].astype(np.int64)
    return Panel(yv[keep], units, tnum[keep], flags[treated][keep], flags[post][keep], groups)
