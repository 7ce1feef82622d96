"""``gvckit report``: one self-contained HTML report (and PDF) from what is given."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from gvckit.cli._app import BasisOpt, FormatOpt, YearOpt, _stderr, app, out_console
from gvckit.errors import GvcError, OptionError


def _portfolio(spec: str, stack: Any) -> tuple[Any, str]:
    """A portfolio store from a database URL, a SQLite file, or IATI files to scan now."""
    from gvckit.portfolio.iati import find_files
    from gvckit.portfolio.store import PortfolioStore

    if "://" in spec:
        return stack.enter_context(PortfolioStore(spec)), spec
    path = Path(spec)
    if path.is_file() and path.suffix.lower() in (".db", ".sqlite", ".sqlite3"):
        return stack.enter_context(PortfolioStore(f"sqlite:///{path}")), path.name
    files = find_files([path])
    tmp = stack.enter_context(tempfile.TemporaryDirectory())
    store = stack.enter_context(PortfolioStore(f"sqlite:///{tmp}/portfolio.db"))
    result = store.scan(files)
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in result.problem_counts.items())
    _stderr(f"scanned {result.activities:,} activities in {result.files:,} files;"
            f" problems: {kinds or 'none'}")  # fmt: skip
    return store, path.name


@app.command("report")
def report_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="The report (.html).")],
    table_path: Annotated[
        Path | None, typer.Option("--table", help="ICIO table (any format gvckit reads).")
    ] = None,
    fmt: FormatOpt = "auto",
    year: YearOpt = None,
    output_basis: BasisOpt = "rows",
    country: Annotated[str | None, typer.Option(help="Country of the position section.")] = None,
    sector: Annotated[str | None, typer.Option(help="Sector code of the country.")] = None,
    peers: Annotated[
        str | None, typer.Option(help="Peer countries, e.g. VNM,MEX (default: top exporters).")
    ] = None,
    panel: Annotated[
        Path | None,
        typer.Option(help="Participation over years: the output of gvckit panel participation."),
    ] = None,
    chain: Annotated[Path | None, typer.Option(help="Chain file (.yaml, .json, .xlsx).")] = None,
    constraints: Annotated[Path | None, typer.Option(help="Constraints file.")] = None,
    interventions: Annotated[
        Path | None, typer.Option("--interventions", help="Intervention design file.")
    ] = None,
    results: Annotated[Path | None, typer.Option(help="Results chain file.")] = None,
    portfolio: Annotated[
        str | None,
        typer.Option(help="Portfolio: database URL, SQLite file, or IATI files/folder to scan."),
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Also print to PDF (needs Chromium).")
    ] = None,
    cluster_stars: Annotated[
        Path | None,
        typer.Option("--cluster-stars", help="Cluster stars: the output of gvckit clusters stars."),
    ] = None,
    survey: Annotated[
        list[Path] | None, typer.Option("--survey", help="Cluster firm survey file(s).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
) -> None:
    """One self-contained HTML report: position in GVCs, the chain, constraints to action,
    portfolio, method and sources — sections for what is given."""
    from contextlib import ExitStack

    from gvckit.report import build_report, write_report

    if output.suffix.lower() not in (".html", ".htm"):
        raise OptionError(f"--output must be an .html file, not {output.name!r}")
    if not output.parent.is_dir():
        raise OptionError(f"--output: folder {output.parent} does not exist")
    given: dict[str, Any] = {}
    if table_path is not None:
        from gvckit.cli.icio import _load

        given["table"] = _load(table_path, fmt, output_basis, year)
        given["country"], given["sector"] = country, sector
        given["peers"] = [p.strip() for p in peers.split(",") if p.strip()] if peers else None
        if panel is not None:
            given["panel"] = _read_panel(panel)
    elif country or sector or peers or panel:
        raise OptionError("--country, --sector, --peers and --panel need --table")
    if chain is not None:
        from gvckit.chain import read_chain

        given["chain"] = read_chain(chain)
    if constraints is not None:
        from gvckit.interventions.constraints import read_constraints

        given["constraints"] = read_constraints(constraints)
    if interventions is not None:
        from gvckit.interventions.typology import read_intervention

        given["intervention"] = read_intervention(interventions)
    if results is not None:
        from gvckit.interventions.results import read_results

        given["results"] = read_results(results)
    if cluster_stars is not None:
        given["cluster_stars"] = _read_stars(cluster_stars)
    if survey:
        from gvckit.clusters.survey import read_surveys

        given["survey"] = read_surveys(survey)
    with ExitStack() as stack:
        if portfolio is not None:
            given["portfolio"], given["portfolio_label"] = _portfolio(portfolio, stack)
        report = build_report(title=title, **given)
        written = write_report(report, output, pdf)
    out_console.print(f"report: {written.resolve()}")
    if pdf is not None:
        out_console.print(f"pdf: {pdf.resolve()}")


def _read_stars(path: Path) -> Any:
    import pandas as pd

    from gvckit.clusters.mapping import STAR_COLUMNS
    from gvckit.clusters.tables import numbers, read_sheet

    sheet = read_sheet(path)
    frame = pd.DataFrame({c: sheet.column(c, c) for c in ("region", "category")})
    for c in STAR_COLUMNS[2:]:
        if c.endswith("_star"):
            frame[c] = [v.lower() in ("true", "1") for v in sheet.column(c, c)]
        else:
            frame[c] = numbers(sheet, c, c, allow_missing=True)
    return frame


def _read_panel(path: Path) -> Any:
    import pandas as pd

    try:
        if path.is_dir():
            from gvckit.panel import read

            frame = read(path)
        elif path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            from gvckit.clusters.tables import MAX_BYTES
            from gvckit.files import open_input

            with open_input(path, max_bytes=MAX_BYTES) as stream:  # a gzip bomb stops here
                frame = pd.read_csv(stream)
    except (OSError, ValueError) as exc:
        raise GvcError(f"cannot read the panel {path}: {exc}") from None
    need = {"year", "exporter", "indicator", "value"}
    if not need <= set(frame.columns):
        raise GvcError(f"the panel {path} needs columns {', '.join(sorted(need))}"
                       " (gvckit panel participation)")  # fmt: skip
    return frame
