"""``gvckit clusters ...``: specialisation, concentration and agglomeration indices."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gvckit.cli._app import OutOpt, SheetOpt, TableFormat, _emit, app
from gvckit.errors import OptionError

if TYPE_CHECKING:
    from gvckit.clusters.indices import RegionalData

clusters_app = typer.Typer(
    help="Clusters: specialisation, concentration and agglomeration from regional data.",
    no_args_is_help=True,
)
app.add_typer(clusters_app, name="clusters")

DataArg = Annotated[
    Path, typer.Argument(help="Region × industry data (.csv, .xlsx, .parquet), long or wide.")
]
RegionOpt = Annotated[str | None, typer.Option("--region", help="Column of the region.")]
IndustryOpt = Annotated[str | None, typer.Option("--industry", help="Column of the industry.")]


def _list(text: str | None) -> list[str] | None:
    if not text:
        return None
    items = [t.strip() for t in text.split(",") if t.strip()]
    return items or None


ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude-industry", help="Leave out an industry (e.g. a total row)."),
]
TotalOpt = Annotated[
    str | None,
    typer.Option(
        "--total-industry",
        help="The industry (row) holding each region's total over all industries (default: a"
        " row named as a total, such as 'A-R Insgesamt', when one is found).",
    ),
]


@clusters_app.command("indices")
def clusters_indices(
    data: DataArg,
    region: RegionOpt = None,
    industry: IndustryOpt = None,
    value: Annotated[
        str | None, typer.Option("--value", help="Column of the value (long data).")
    ] = None,
    reference: Annotated[
        str,
        typer.Option("--reference", help="'total' (all regions together) or one region's name."),
    ] = "total",
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns", help="Wide data: the value columns to use, e.g. City2017,Country2017."
        ),
    ] = None,
    exclude_industry: ExcludeOpt = None,
    total_industry: TotalOpt = None,
    sheet: SheetOpt = None,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Location quotients, Krugman/Hoover/Gini specialisation of regions and Hoover/Gini/
    Herfindahl concentration of industries, as tidy region, industry, indicator, value.

    Long data: give --region, --industry and --value. Wide data: give only --industry (one
    column per region) or only --region (one column per industry), and --columns to choose.
    """
    from gvckit.clusters.indices import indices
    from gvckit.clusters.readers import read_regional

    regional = read_regional(
        data, region=region, industry=industry, value=value, columns=_list(columns),
        sheet=sheet,
    )  # fmt: skip
    regional = _industries(regional, total_industry, exclude_industry)
    _emit(indices(regional, reference), fmt, output)


def _industries(
    regional: RegionalData, total: str | None, exclude: list[str] | None
) -> RegionalData:
    """Apply --total-industry and --exclude-industry; with neither, a recognisable row of totals
    (e.g. ``A-R Insgesamt``) is taken as the regions' totals, as REAT's examples do, and said
    on stderr."""
    from gvckit.cli._app import _stderr

    if total:
        regional = regional.with_total_industry(total)
    if exclude:
        regional = regional.without_industries(exclude)
    if not total and not exclude:
        found = regional.total_industry()
        if found is not None:
            _stderr(
                f"note: industry {found!r} holds the regions' totals: used as such, as "
                f"--total-industry {found} does (--exclude-industry {found} to drop it instead)"
            )
            regional = regional.with_total_industry(found)
    return regional


@clusters_app.command("eg")
def clusters_eg(
    firms: Annotated[Path, typer.Argument(help="Firm list (.csv, .xlsx, .parquet).")],
    industry: Annotated[str, typer.Option("--industry", help="Column of the firm's industry.")],
    region: Annotated[str, typer.Option("--region", help="Column of the firm's region.")],
    size: Annotated[str, typer.Option("--size", help="Column of the firm's employment.")],
    region_total: Annotated[
        str | None,
        typer.Option(
            "--region-total",
            help="Column of the region's employment in all industries (default: from the firms).",
        ),
    ] = None,
    pairs: Annotated[
        bool, typer.Option("--pairs", help="Also the coagglomeration of every industry pair.")
    ] = False,
    sheet: SheetOpt = None,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Ellison–Glaeser (1997) agglomeration per industry (gamma, G, H, z, firms) and, with
    --pairs, coagglomeration of industry pairs (gamma_c, G_c, H_c)."""
    import pandas as pd

    from gvckit.clusters import agglomeration as ag
    from gvckit.clusters.readers import read_firms

    if not (industry and region and size):
        raise OptionError("--industry, --region and --size name columns of the firm list")
    f = read_firms(
        firms, industry=industry, region=region, size=size, region_total=region_total,
        sheet=sheet,
    )  # fmt: skip
    frame = ag.ellison_glaeser(f)
    if pairs:
        frame = pd.concat([frame, ag.pairs(f)], ignore_index=True)
    _emit(frame, fmt, output)


@clusters_app.command("stars")
def clusters_stars(
    data: DataArg,
    region: RegionOpt = None,
    industry: IndustryOpt = None,
    value: Annotated[
        str | None, typer.Option("--value", help="Column of the employment (long data).")
    ] = None,
    categories: Annotated[
        str,
        typer.Option(
            "--categories",
            help="Category map: nace-a10, nace-sections (shipped) or a CSV with code, category.",
        ),
    ] = "nace-a10",
    columns: Annotated[
        str | None, typer.Option("--columns", help="Wide data: the value columns to use.")
    ] = None,
    exclude_industry: ExcludeOpt = None,
    total_industry: TotalOpt = None,
    size_top: Annotated[
        float, typer.Option("--size-top", help="Size star: top share of regions per category.")
    ] = 0.10,
    lq_min: Annotated[
        float, typer.Option("--lq-min", help="Specialisation star: location quotient at least.")
    ] = 2.0,
    focus_top: Annotated[
        float, typer.Option("--focus-top", help="Focus star: top share by share of the region.")
    ] = 0.10,
    focus_within: Annotated[
        str,
        typer.Option("--focus-within", help="Focus compared over 'all' cells or per 'category'."),
    ] = "all",
    sheet: SheetOpt = None,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """European Cluster Observatory stars (size, specialisation, focus) per region × category."""
    from gvckit.cli._app import _stderr
    from gvckit.clusters.mapping import SHIPPED_MAPS, read_map, shipped_map, stars
    from gvckit.clusters.readers import read_regional

    cmap = shipped_map(categories) if categories in SHIPPED_MAPS else read_map(categories)
    regional = read_regional(
        data, region=region, industry=industry, value=value, columns=_list(columns),
        sheet=sheet,
    )  # fmt: skip
    regional = _industries(regional, total_industry, exclude_industry)
    frame, unmapped = stars(
        regional, cmap, size_top=size_top, lq_min=lq_min, focus_top=focus_top,
        focus_within=focus_within,
    )  # fmt: skip
    if unmapped:
        shown = ", ".join(unmapped[:8]) + (", ..." if len(unmapped) > 8 else "")
        _stderr(f"note: {len(unmapped)} industries in no category (counted in totals): {shown}")
    _emit(frame, fmt, output)


SurveyArgs = Annotated[
    list[Path],
    typer.Argument(help="Survey files (.yaml, .json, or the .xlsx/.csv template), any rounds."),
]
ChainOpt = Annotated[
    Path | None,
    typer.Option("--chain", help="Chain file: check that its clusters were surveyed."),
]


def _responses(files: list[Path], sheet: str | None, chain: Path | None) -> list[Any]:
    from gvckit.cli._app import _stderr
    from gvckit.clusters.link import chain_clusters
    from gvckit.clusters.survey import read_surveys

    out = read_surveys(files, sheet)
    if chain is not None:
        from gvckit.chain import read_chain

        report = chain_clusters(read_chain(chain), out)
        for line in report:
            _stderr(f"note: {line}")
    return out


@clusters_app.command("survey-template")
def clusters_survey_template(
    output: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
) -> None:
    """Write the Excel template of the cluster firm survey (collective efficiency and
    technological capabilities), with a guide sheet."""
    from gvckit.cli._app import out_console
    from gvckit.clusters.survey import write_template

    if output.suffix.lower() != ".xlsx":
        raise OptionError(f"the template is an .xlsx workbook, not {output.name!r}")
    write_template(output)
    out_console.print(f"written: {output}", markup=False)


@clusters_app.command("efficiency")
def clusters_efficiency(
    surveys: SurveyArgs,
    change: Annotated[
        bool, typer.Option("--change", help="The change from the first to the last round.")
    ] = False,
    chain: ChainOpt = None,
    sheet: SheetOpt = None,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Collective efficiency per cluster and round: joint action (bilateral/multilateral ×
    horizontal/vertical), external economies and institutions used (Schmitz 1995; Nadvi 1999)."""
    from gvckit.clusters.scores import efficiency, efficiency_change

    responses = _responses(surveys, sheet, chain)
    _emit(efficiency_change(responses) if change else efficiency(responses), fmt, output)


@clusters_app.command("capabilities")
def clusters_capabilities(
    surveys: SurveyArgs,
    by: Annotated[
        str, typer.Option("--by", help="firm (profiles), cluster or stage (distribution).")
    ] = "firm",
    chain: ChainOpt = None,
    sheet: SheetOpt = None,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Technological capabilities (Lall 1992: investment, production, linkages at basic,
    intermediate, advanced level) with learning mechanisms (Morrison, Pietrobelli & Rabellotti
    2008): a profile per firm, or the distribution per cluster or chain stage."""
    from gvckit.clusters.scores import capability_distribution, capability_profiles

    responses = _responses(surveys, sheet, chain)
    if by == "firm":
        frame = capability_profiles(responses)
    else:
        frame = capability_distribution(responses, by)
    _emit(frame, fmt, output)
