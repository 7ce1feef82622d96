"""From analysis to action: constraints, approaches, interventions, audit, results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from gvckit.cli._app import (
    OutOpt,
    TableFormat,
    _emit,
    _stderr,
    app,
    approaches_app,
    constraints_app,
    intervention_app,
    out_console,
)
from gvckit.errors import GvcError


@constraints_app.command("rank")
def constraints_rank(
    file: Annotated[Path, typer.Argument(help="Constraints file (.yaml or .json).")],
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights",
            help="Override weights, e.g. severity=0.4,reach=0.3,feasibility=0.2,leverage=0.1.",
        ),
    ] = None,
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity", help="Show the ±20 % weight sensitivity check.")
    ] = False,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Rank constraints by a weighted score; each criterion's contribution is shown."""
    from gvckit.interventions import constraints as cons

    cs = cons.read_constraints(file)
    if weights:
        cs = cons.with_weights(cs, _parse_weights(weights))
    frame = cons.sensitivity(cs) if sensitivity else cons.prioritise(cs)
    _emit(frame, fmt, output)


def _parse_weights(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise GvcError(f"--weights: {part!r} is not NAME=NUMBER") from None
        if not sep:
            raise GvcError(f"--weights: {part!r} is not NAME=NUMBER")
    return out


@approaches_app.command("matrix")
def approaches_matrix(
    fmt: TableFormat = "auto",
    detail: Annotated[
        bool, typer.Option("--detail", help="Show each cell's mechanism and direction.")
    ] = False,
    output: OutOpt = None,
) -> None:
    """The 11 approaches × 9 constraints matrix (seed 004, Annex 2)."""
    from gvckit.interventions.approaches import matrix

    _emit(matrix(detail), fmt, output)


def _constraints_or_chain(file: Path) -> Any:
    """A constraints file as it is, or a chain file's draft constraints (see
    :mod:`gvckit.interventions.derive`)."""
    from gvckit.documents import read_document
    from gvckit.interventions.constraints import read_constraints

    if file.suffix.lower() in (".xlsx", ".xlsm"):
        data: Any = {"snapshots": None}
    else:
        data, _ = read_document(file, what="constraints or a chain")
    if isinstance(data, dict) and "snapshots" in data:
        from gvckit.chain import read_chain
        from gvckit.interventions.derive import constraints_from_chain

        return constraints_from_chain(read_chain(file), file=file)
    return read_constraints(file)


@approaches_app.command("recommend")
def approaches_recommend(
    file: Annotated[
        Path, typer.Argument(help="Constraints file, or a chain file (constraints drafted).")
    ],
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Rank the approaches for the prioritised constraints, explaining each; given a chain,
    the constraints are drafted from its evidence first."""
    from gvckit.interventions.recommend import recommend

    _emit(recommend(_constraints_or_chain(file)), fmt, output)


@constraints_app.command("derive")
def constraints_derive(
    file: Annotated[Path, typer.Argument(help="Chain file (.yaml, .json, .xlsx).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the draft as YAML here.")
    ] = None,
    year: Annotated[int | None, typer.Option("--snapshot", help="Snapshot year.")] = None,
    survey: Annotated[
        list[Path] | None,
        typer.Option("--survey", help="Cluster survey file(s): capabilities as evidence."),
    ] = None,
) -> None:
    """Draft constraints from a chain's evidence (buyer concentration, governance, links,
    standards, value-added shares; with --survey, the clusters' capabilities), as YAML to
    review and edit before ranking."""
    import yaml

    from gvckit.chain import read_chain
    from gvckit.clusters.survey import read_surveys
    from gvckit.files import atomic_write
    from gvckit.interventions.derive import constraints_from_chain

    responses = read_surveys(survey or [])
    draft = constraints_from_chain(read_chain(file), year, file=file, survey=responses or None)
    text = "# Drafted by gvckit constraints derive: review severities, feasibility and leverage.\n"
    text += yaml.safe_dump(draft.model_dump(mode="json", exclude_none=True), sort_keys=False,
                           allow_unicode=True)  # fmt: skip
    if output is None:
        typer.echo(text, nl=False)
        return
    with atomic_write(output, "w") as fh:
        fh.write(text)
    out_console.print(f"written: {output}")


@intervention_app.command("check")
def intervention_check(
    file: Annotated[Path, typer.Argument(help="Intervention file (.yaml or .json).")],
) -> None:
    """Validate an intervention against the typology's controlled vocabularies."""
    from gvckit.interventions.typology import read_intervention

    iv = read_intervention(file)
    out_console.print(
        f"{file}: valid intervention '{iv.id}' ({iv.title}); patterns:"
        f" {', '.join(p.value for p in iv.patterns) or '-'}; upgrading:"
        f" {', '.join(u.value for u in iv.upgrading) or '-'}; approaches: {len(iv.approaches)}",
        markup=False,
    )


@app.command("audit")
def audit_cmd(
    file: Annotated[Path, typer.Argument(help="Intervention file (.yaml or .json).")],
    chain_file: Annotated[
        Path | None, typer.Option("--chain", help="The chain the intervention works on.")
    ] = None,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Audit an intervention design against the key issues, success factors and guidelines."""
    from gvckit.chain import read_chain
    from gvckit.interventions.audit import audit
    from gvckit.interventions.typology import read_intervention

    c = read_chain(chain_file) if chain_file is not None else None
    _emit(audit(read_intervention(file), c), fmt, output)


_RESULT_VIEWS = ("progress", "disaggregated", "universal", "chain", "impact", "pretrends")


@app.command("results")
def results_cmd(
    file: Annotated[Path, typer.Argument(help="Results chain file (.yaml or .json).")],
    impact: Annotated[
        Path | None,
        typer.Option("--impact", help="Treated/comparison panel (CSV) for a DiD estimate."),
    ] = None,
    view: Annotated[
        str | None,
        typer.Option(
            "--view",
            help="progress (default), disaggregated, universal, chain; with --impact: impact"
            " (default) or pretrends.",
        ),
    ] = None,
    outcome: Annotated[
        str | None, typer.Option(help="Panel: outcome column (default: outcome, or guessed).")
    ] = None,
    unit: Annotated[str | None, typer.Option(help="Panel: unit id column.")] = None,
    time_col: Annotated[str | None, typer.Option("--time", help="Panel: period column.")] = None,
    treated: Annotated[str | None, typer.Option(help="Panel: 0/1 treated column.")] = None,
    post: Annotated[str | None, typer.Option(help="Panel: 0/1 after-start column.")] = None,
    cluster: Annotated[
        str | None, typer.Option(help="Panel: cluster column (default: the unit).")
    ] = None,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Results chain: progress against targets, DCED universal indicators, and an impact
    estimate by difference in differences (with a parallel-trends check) from a panel."""
    from gvckit.interventions import monitoring as mon
    from gvckit.interventions import results as rs

    chosen = view or ("impact" if impact is not None else "progress")
    if chosen not in _RESULT_VIEWS:
        raise GvcError(f"--view must be one of {', '.join(_RESULT_VIEWS)}, not {chosen!r}")
    if chosen in ("impact", "pretrends") and impact is None:
        raise GvcError(f"--view {chosen} needs --impact PANEL.csv")
    chain = rs.read_results(file)
    if chosen in ("impact", "pretrends"):
        from gvckit.interventions import impact as im

        assert impact is not None
        given = {"outcome": outcome, "unit": unit, "time": time_col, "treated": treated,
                 "post": post}  # fmt: skip
        names = im.guess_columns(_header(impact), given)
        guessed = [f"{r}={c}" for r, c in names.items() if given[r] is None and c != r]
        if guessed:
            _stderr("panel columns: " + ", ".join(guessed))
        outcome, unit, time_col, treated, post = (
            names[k] for k in ("outcome", "unit", "time", "treated", "post")
        )
        panel = im.read_panel(impact, outcome=outcome, unit=unit, time=time_col,
                              treated=treated, post=post, cluster=cluster)  # fmt: skip
        cols: dict[str, Any] = {"outcome": outcome, "unit": unit, "time": time_col,
                                "treated": treated, "post": post}  # fmt: skip
        check = im.parallel_trends(panel, **cols, cluster=cluster)
        if chosen == "pretrends":
            _emit(check, fmt, output)
            return
        verdict = check.iloc[0]
        _stderr(f"parallel trends: {verdict['verdict']}: {verdict['note']}")
        _emit(im.did(panel, **cols, cluster=cluster), fmt, output)
        return
    if chosen == "chain":
        levels = mon.chain_levels(chain)
        for warning in levels.warnings:
            _stderr(f"warning: {warning}")
        _emit(levels.table, fmt, output)
        return
    views = {
        "progress": mon.progress,
        "disaggregated": mon.disaggregated,
        "universal": mon.universal,
    }
    _emit(views[chosen](chain), fmt, output)


def _header(path: Path) -> list[str]:
    """The first line of a CSV file, split (empty when unreadable: read_panel then reports)."""
    import csv

    from gvckit.interventions.panel_data import MAX_BYTES

    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return []  # a device or a named pipe would be read for ever: read_panel says why
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
