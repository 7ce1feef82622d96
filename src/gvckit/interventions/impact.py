"""Impact estimates: difference in differences on a treated/comparison panel.

The estimate (Angrist & Pischke 2009, *Mostly Harmless Econometrics*, Princeton UP, §5.2) is δ in

    y_it = a + b·treated_i + c·post_t + δ·(treated_i × post_t) + ε_it

fitted by OLS on a panel of units i (firms, farms, households) observed in periods t, where
``treated`` marks the units reached by the intervention and ``post`` the periods after it
started. δ is the average effect on the treated if, without the intervention, treated and
comparison units would have followed parallel trends. With ``unit_effects=True`` unit fixed
effects α_i replace a + b·treated_i (the within transformation: every variable minus its unit
mean; the residual degrees of freedom count the absorbed means).

Standard errors are cluster-robust by unit unless another ``cluster`` column is named: outcomes of
a unit are correlated over time, and ignoring that misstates the standard errors of DiD
estimates, often grossly (Bertrand, Duflo & Mullainathan 2004, "How much should we trust
differences-in-differences estimates?", *Quarterly Journal of Economics* 119(1): 249–275). The
covariance is the Liang–Zeger sandwich with the small-sample factor G/(G − 1)·(N − 1)/(N − K) and
t tests with G − 1 degrees of freedom (G clusters, N observations, K regressors; Cameron & Miller
2015, *Journal of Human Resources* 50(2)); with few clusters (fewer than about 30–50) these
standard errors are unreliable. ``se="ols"`` gives the conventional OLS standard errors, for
comparison.

:func:`parallel_trends` checks the identifying assumption on the pre-treatment periods only
(``post == 0``): either a differential linear trend,

    y_it = a + b·treated_i + g·t + θ·(treated_i × t) + ε_it,   H0: θ = 0,

or event-study leads (``method="leads"``: treated × period dummies for each pre-period but the
last, tested jointly by an F test). The verdict is *pass* when H0 is not rejected at ``alpha``
and *warn* otherwise or when there is only one pre-period. A pass is not proof of parallel
trends: the test may lack power (Roth 2022, "Pretest with caution", *AER: Insights* 4(3)).

The panel has one row per unit and period; ``post`` must be the same for all units in a period
(one treatment date: staggered adoption needs other estimators, e.g. Callaway & Sant'Anna 2021)
and ``treated`` the same in all periods of a unit. Rows with a missing outcome are dropped.
statsmodels (>= 0.14) does the fitting.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from gvckit.errors import InputError, OptionError

__all__ = ["EFFECT", "did", "guess_columns", "parallel_trends", "read_panel"]

#: Term of the DiD estimate δ in the output of :func:`did`.
EFFECT = "treated:post"
_MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "."})
_FLAGS = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1}
_DID_COLUMNS = [
    "term", "estimate", "std_error", "p_value", "ci_low", "ci_high", "n_obs", "n_clusters",
]  # fmt: skip
_PT_COLUMNS = [
    "test", "term", "estimate", "std_error", "statistic", "df_num", "df_denom", "p_value",
    "n_pre_periods", "n_obs", "n_clusters", "verdict", "note",
]  # fmt: skip

#: builds the error for (column, position, message, expected)
_Fail = Callable[[str, int, str, str], InputError]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Panel:
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

    def subset(self, keep: npt.NDArray[np.bool_]) -> _Panel:
        unit = np.unique(self.unit[keep], return_inverse=True)[1].astype(np.int64)
        return _Panel(
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
    if not p.is_file():
        raise InputError("no such file", file=p)
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


def _panel(
    frame: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treated: str,
    post: str,
    cluster: str | None,
) -> _Panel:
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
    return _Panel(yv[keep], units, tnum[keep], flags[treated][keep], flags[post][keep], groups)


# -- estimation ------------------------------------------------------------------------------


def _ols() -> Any:
    try:
        return importlib.import_module("statsmodels.regression.linear_model").OLS
    except ImportError as exc:  # pragma: no cover - statsmodels is a dependency
        raise ImportError(
            "impact estimates need statsmodels: pip install 'statsmodels>=0.14'"
        ) from exc


def _demean(values: Floats, codes: Ints) -> Floats:
    """``values`` (1-D or 2-D, rows = observations) minus their mean within ``codes``."""
    n = int(codes.max()) + 1
    counts = np.bincount(codes, minlength=n).astype(np.float64)
    if values.ndim == 1:
        return values - (np.bincount(codes, values, minlength=n) / counts)[codes]
    out = np.empty_like(values)
    for j in range(values.shape[1]):
        out[:, j] = values[:, j] - (np.bincount(codes, values[:, j], minlength=n) / counts)[codes]
    return out


def _fit(
    panel: _Panel, X: pd.DataFrame, *, unit_effects: bool, se: Literal["cluster", "ols"]
) -> Any:
    """OLS of ``panel.y`` on ``X`` (within unit if ``unit_effects``), cluster-robust or not."""
    y = panel.y
    exog = X.to_numpy(dtype=np.float64)
    if unit_effects:
        y = _demean(y, panel.unit)
        exog = _demean(exog, panel.unit)
    if np.linalg.matrix_rank(exog) < exog.shape[1]:
        raise InputError(
            "the panel cannot identify the model: the regressors are collinear",
            expected="treated and comparison units observed both before and after"
            + (" (each unit in more than one period, for unit effects)" if unit_effects else ""),
        )
    model = _ols()(y, pd.DataFrame(exog, columns=X.columns))
    if unit_effects:
        model.df_resid = len(y) - exog.shape[1] - panel.n_units
        if model.df_resid <= 0:
            raise InputError("too few observations for unit fixed effects")
    if se == "ols":
        return model.fit()
    if panel.n_clusters < 2:
        raise InputError("cluster-robust standard errors need at least 2 clusters")
    return model.fit(
        cov_type="cluster",
        cov_kwds={"groups": panel.groups, "use_correction": True, "df_correction": True},
        use_t=True,
    )


def did(
    panel: pd.DataFrame,
    outcome: str = "outcome",
    unit: str = "unit",
    time: str = "time",
    treated: str = "treated",
    post: str = "post",
    cluster: str | None = None,
    *,
    unit_effects: bool = False,
    se: Literal["cluster", "ols"] = "cluster",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Difference-in-differences estimate of an intervention's effect (see the module notes).

    Fits ``y = a + b·treated + c·post + δ·treated×post`` (with ``unit_effects``: ``y = α_i +
    c·post + δ·treated×post``) by OLS; standard errors cluster-robust by ``cluster`` (default:
    the unit; Bertrand, Duflo & Mullainathan 2004), or plain OLS with ``se="ols"``.

    Returns one row per term (``const``, ``treated``, ``post``, ``treated:post`` — the last,
    :data:`EFFECT`, is δ) with columns term, estimate, std_error, p_value, ci_low, ci_high (the
    1 − ``alpha`` confidence interval), n_obs and n_clusters (missing with ``se="ols"``).
    """
    if se not in ("cluster", "ols"):
        raise OptionError(f"unknown standard errors {se!r}: cluster or ols")
    if not 0 < alpha < 1:
        raise OptionError(f"alpha must be between 0 and 1, not {alpha}")
    p = _panel(
        panel, outcome=outcome, unit=unit, time=time, treated=treated, post=post, cluster=cluster
    )
    for tr, label in ((1, "treated"), (0, "comparison")):
        for po, when in ((0, "before"), (1, "after")):
            if not np.any((p.treated == tr) & (p.post == po)):
                raise InputError(
                    f"no {label} units observed {when} the intervention (with an outcome)",
                    column=treated if tr else post,
                    expected="treated and comparison units, before and after",
                )
    columns: dict[str, Floats] = {}
    if not unit_effects:
        columns["const"] = np.ones(p.y.size)
        columns["treated"] = p.treated.astype(np.float64)
    columns["post"] = p.post.astype(np.float64)
    columns[EFFECT] = (p.treated * p.post).astype(np.float64)
    res = _fit(p, pd.DataFrame(columns), unit_effects=unit_effects, se=se)
    ci = np.asarray(res.conf_int(alpha=alpha))
    n_clusters = p.n_clusters if se == "cluster" else None
    frame = pd.DataFrame(
        {
            "term": list(columns),
            "estimate": np.asarray(res.params, dtype=np.float64),
            "std_error": np.asarray(res.bse, dtype=np.float64),
            "p_value": np.asarray(res.pvalues, dtype=np.float64),
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "n_obs": int(p.y.size),
            "n_clusters": pd.array([n_clusters] * len(columns), dtype="Int64"),
        },
        columns=_DID_COLUMNS,
    )
    return frame


def parallel_trends(
    panel: pd.DataFrame,
    outcome: str = "outcome",
    unit: str = "unit",
    time: str = "time",
    treated: str = "treated",
    post: str = "post",
    cluster: str | None = None,
    *,
    method: Literal["trend", "leads"] = "trend",
    unit_effects: bool = False,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Check parallel pre-treatment trends of treated and comparison units (module notes).

    On the rows with ``post == 0`` only: ``method="trend"`` tests θ = 0 in ``y = a +
    b·treated + g·t + θ·treated×t`` (t the time value: per year for years, per year for dates)
    by a cluster-robust t test; ``method="leads"`` tests all treated × pre-period dummies (the
    last pre-period the reference) jointly by a cluster-robust F test. With ``unit_effects``
    unit fixed effects replace a + b·treated.

    Returns one row: test, term, estimate and std_error (θ; missing for the joint test),
    statistic (t or F), df_num, df_denom, p_value, n_pre_periods, n_obs, n_clusters, verdict
    (``pass`` if p ≥ ``alpha``, else ``warn``; ``warn`` also with a single pre-period) and note.
    """
    if method not in ("trend", "leads"):
        raise OptionError(f"unknown method {method!r}: trend or leads")
    if not 0 < alpha < 1:
        raise OptionError(f"alpha must be between 0 and 1, not {alpha}")
    full = _panel(
        panel, outcome=outcome, unit=unit, time=time, treated=treated, post=post, cluster=cluster
    )
    p = full.subset(full.post == 0)
    periods = np.unique(p.time)
    test = "differential linear pre-trend (t)" if method == "trend" else "pre-period leads (F)"
    row: dict[str, Any] = dict.fromkeys(_PT_COLUMNS, math.nan)
    row.update(
        test=test,
        term="treated:trend" if method == "trend" else "treated:leads",
        n_pre_periods=len(periods),
        n_obs=int(p.y.size),
        n_clusters=p.n_clusters,
    )
    if len(periods) < 2 or not (np.any(p.treated == 1) and np.any(p.treated == 0)):
        row.update(
            verdict="warn",
            note="parallel trends cannot be checked: it needs treated and comparison units in"
            f" at least 2 pre-treatment periods (found {len(periods)} period(s))",
        )
        return pd.DataFrame([row], columns=_PT_COLUMNS)
    columns: dict[str, Floats] = {}
    if not unit_effects:
        columns["const"] = np.ones(p.y.size)
        columns["treated"] = p.treated.astype(np.float64)
    if method == "trend":
        trend = p.time - periods[0]
        columns["trend"] = trend
        columns["treated:trend"] = p.treated * trend
        res = _fit(p, pd.DataFrame(columns), unit_effects=unit_effects, se="cluster")
        k = list(columns).index("treated:trend")
        theta = float(res.params.iloc[k])
        stat, pval = float(res.tvalues.iloc[k]), float(res.pvalues.iloc[k])
        row.update(
            estimate=theta,
            std_error=float(res.bse.iloc[k]),
            statistic=stat,
            df_num=1.0,
            df_denom=float(p.n_clusters - 1),
            p_value=pval,
        )
        finding = f"a difference in trend of {theta:+.4g} per unit of time (p = {pval:.3g})"
    else:
        leads = periods[:-1]
        for s in leads:
            columns[f"period={s:g}"] = (p.time == s).astype(np.float64)
        names = []
        for s in leads:
            name = f"treated:period={s:g}"
            columns[name] = p.treated * (p.time == s).astype(np.float64)
            names.append(name)
        res = _fit(p, pd.DataFrame(columns), unit_effects=unit_effects, se="cluster")
        R = np.zeros((len(names), len(columns)))
        for j, name in enumerate(names):
            R[j, list(columns).index(name)] = 1.0
        ftest = res.f_test(R)
        stat = float(np.squeeze(ftest.fvalue))
        pval = float(np.squeeze(ftest.pvalue))
        row.update(
            statistic=stat,
            df_num=float(ftest.df_num),
            df_denom=float(ftest.df_denom),
            p_value=pval,
        )
        shown = ", ".join(
            f"{name.removeprefix('treated:')}: {float(res.params[name]):+.4g}"
            f" (se {float(res.bse[name]):.3g})"
            for name in names
        )
        finding = f"treated − comparison relative to period {periods[-1]:g}: {shown} (joint p ="
        finding += f" {pval:.3g})"
    if pval >= alpha:
        row.update(
            verdict="pass",
            note=f"no evidence of different pre-trends at the {alpha:.0%} level: {finding}; a"
            " pass is not proof, the test may lack power (Roth 2022)",
        )
    else:
        row.update(
            verdict="warn",
            note=f"treated and comparison units trended apart before the intervention: {finding};"
            " the difference-in-differences estimate may be biased",
        )
    frame = pd.DataFrame([row], columns=_PT_COLUMNS)
    return frame
