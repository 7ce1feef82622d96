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

import importlib
import math
from typing import Any, Literal

import numpy as np
import pandas as pd

from gvckit.errors import InputError, OptionError
from gvckit.interventions.panel_data import (
    SYNONYMS,
    Floats,
    Ints,
    Panel,
    guess_columns,
    panel_arrays,
    read_panel,
)

__all__ = [
    "EFFECT", "SYNONYMS", "did", "guess_columns", "parallel_trends", "read_panel",
]  # fmt: skip

#: Term of the DiD estimate δ in the output of :func:`did`.
EFFECT = "treated:post"
_DID_COLUMNS = [
    "term", "estimate", "std_error", "p_value", "ci_low", "ci_high", "n_obs", "n_clusters",
]  # fmt: skip
_PT_COLUMNS = [
    "test", "term", "estimate", "std_error", "statistic", "df_num", "df_denom", "p_value",
    "n_pre_periods", "n_obs", "n_clusters", "verdict", "note",
]  # fmt: skip


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
    panel: Panel, X: pd.DataFrame, *, unit_effects: bool, se: Literal["cluster", "ols"]
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
    df_resid = len(y) - exog.shape[1] - (panel.n_units if unit_effects else 0)
    if df_resid <= 0:
        raise InputError(
            f"too few observations: {len(y)} for {exog.shape[1]} coefficients"
            + (f" and {panel.n_units} unit means" if unit_effects else "")
            + " leave no residual degrees of freedom",
            expected="more units or periods than coefficients to estimate",
        )
    model = _ols()(y, pd.DataFrame(exog, columns=X.columns))
    if unit_effects:
        model.df_resid = df_resid
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
    p = panel_arrays(
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
    full = panel_arrays(
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
