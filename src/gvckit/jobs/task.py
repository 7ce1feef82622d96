"""The computation a measure job runs: read the stored table, compute the measure with
:func:`gvckit.icio.measure`, write the tidy result atomically as Parquet (full precision).

Pure apart from that I/O and picklable, so that it runs the same in a local worker process and
on a Dask worker (which must see the data dir at the same path).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["run_measure"]


def run_measure(
    table: str,
    fmt: str,
    year: int | None,
    measure: str,
    options: dict[str, Any],
    result: str,
    progress: Callable[[float, str], None] | None = None,
) -> str:
    """Compute ``measure`` with ``options`` (``groups`` among them, optionally) on the table at
    ``table`` and write it to ``result`` (Parquet); returns ``result``."""
    from gvckit import icio
    from gvckit.files import atomic_write

    say = progress or (lambda _p, _m: None)
    say(0.05, "reading the table")
    extra: dict[str, Any] = {} if year is None else {"year": year}
    t = icio.read(Path(table), format=fmt, **extra)
    done = [0.3]
    say(done[0], f"computing {measure}")

    def step(message: str) -> None:
        done[0] += (0.9 - done[0]) * 0.4
        say(done[0], f"computing {measure}: {message}")

    opts = dict(options)
    groups = opts.pop("groups", None) or None
    frame = icio.measure(measure, t, groups=groups, progress=step, **opts)
    say(0.92, "writing the result")
    with atomic_write(result) as fh:
        frame.to_parquet(fh, index=False)
    return result


def run_report(
    chain_json: str | None,
    results_json: str | None,
    title: str | None,
    result: str,
    pdf: bool = False,
    progress: Callable[[float, str], None] | None = None,
    *,
    position: dict[str, Any] | None = None,
    portfolio_tables: dict[str, Any] | None = None,
    actions: dict[str, str] | None = None,
) -> str:
    """Build the report (:func:`gvckit.report.build_report`) on the workspace's chain and
    results chain, its table (``position``: the stored table's path, format and year, and the
    country, sector and peers), its portfolio's review tables and ``actions`` (JSON of the
    ``constraints`` set, the ``intervention`` and the ``audit_chain`` its kept audit is
    against), and write it to ``result`` (HTML, and the PDF beside it with ``pdf``)."""
    from gvckit.chain.model import Chain
    from gvckit.interventions.results import ResultsChain
    from gvckit.report import build_report, write_report

    say = progress or (lambda _p, _m: None)
    say(0.1, "building the report")
    chain = None if chain_json is None else Chain.model_validate_json(chain_json)
    results = None if results_json is None else ResultsChain.model_validate_json(results_json)
    given: dict[str, Any] = {}
    if position is not None:
        from gvckit import icio

        say(0.15, "reading the table")
        extra: dict[str, Any] = {} if position["year"] is None else {"year": position["year"]}
        given["table"] = icio.read(Path(position["path"]), format=position["format"], **extra)
        given.update({k: position[k] for k in ("country", "sector", "peers")})
    acts = actions or {}
    if "constraints" in acts:
        from gvckit.interventions.constraints import ConstraintSet

        given["constraints"] = ConstraintSet.model_validate_json(acts["constraints"])
    if "intervention" in acts:
        from gvckit.interventions.typology import Intervention

        given["intervention"] = Intervention.model_validate_json(acts["intervention"])
    if "audit_chain" in acts:
        given["audit_chain"] = Chain.model_validate_json(acts["audit_chain"])
    if portfolio_tables is not None:
        given["portfolio_tables"] = portfolio_tables
        given["portfolio_label"] = "the workspace's portfolio"
    say(0.3, "building the report")
    report = build_report(chain=chain, results=results, title=title or None, **given)
    say(0.7, "writing the report")
    write_report(report, result, str(Path(result).with_suffix(".pdf")) if pdf else None)
    return result


def run_impact(
    panel: str,
    columns: dict[str, str | None],
    result: str,
    progress: Callable[[float, str], None] | None = None,
) -> str:
    """Read the panel CSV at ``panel`` (columns named as ``gvckit results --impact`` takes them,
    guessed where not given) and write the difference-in-differences estimate
    (:func:`gvckit.interventions.impact.did`) to ``result`` (Parquet); returns ``result``."""
    import csv

    from gvckit.files import atomic_write
    from gvckit.interventions import impact as im

    say = progress or (lambda _p, _m: None)
    say(0.1, "reading the panel")
    with open(panel, newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    given = {k: columns.get(k) for k in ("outcome", "unit", "time", "treated", "post")}
    names = im.guess_columns(header, given)
    cluster = columns.get("cluster")
    cols = {k: names[k] for k in ("outcome", "unit", "time", "treated", "post")}
    frame = im.read_panel(panel, **cols, cluster=cluster)
    say(0.5, "estimating")
    estimate = im.did(frame, cols["outcome"], cols["unit"], cols["time"], cols["treated"],
                      cols["post"], cluster)  # fmt: skip
    with atomic_write(result) as fh:
        estimate.to_parquet(fh, index=False)
    return result
