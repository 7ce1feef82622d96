"""``gvckit portfolio ...``: scan a donor's IATI activity files for value chain work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gvckit.cli._app import DbOpt, TableFormat, _emit, _stderr, app, err_console, out_console
from gvckit.errors import GvcError, OptionError

if TYPE_CHECKING:
    import pandas as pd

    from gvckit.portfolio.store import FileSkips

portfolio_app = typer.Typer(
    help="Portfolio review: find and classify value chain work in IATI activity files.",
    no_args_is_help=True,
)
app.add_typer(portfolio_app, name="portfolio")


def _years(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    first, _, last = text.partition("-")
    try:
        a, b = int(first), int(last or first)
    except ValueError:
        raise OptionError(f"--years must be YYYY or YYYY-YYYY, not {text!r}") from None
    if a > b:
        raise OptionError(f"--years: {a} is after {b}")
    return a, b


@portfolio_app.command("scan")
def portfolio_scan(
    paths: Annotated[list[Path], typer.Argument(help="IATI activity files or folders.")],
    db: DbOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Activities CSV (finances go to <stem>-finances.csv)."),
    ] = None,
    usd: Annotated[
        bool,
        typer.Option("--usd", help="Store US dollar values (ECB reference rates, annual means)."),
    ] = False,
    rates: Annotated[
        Path | None,
        typer.Option("--rates", help="Your own rates CSV (currency,year,usd_per_unit)."),
    ] = None,
    codelists: Annotated[
        Path | None,
        typer.Option(
            "--codelists",
            help="IATI codelists folder to name the codes (default: $GVCKIT_IATI_CODELISTS).",
        ),
    ] = None,
    max_file_mb: Annotated[
        int, typer.Option("--max-file-mb", help="Largest decompressed file read (MiB).")
    ] = 1024,
) -> None:
    """Read, classify and store every activity; bad files are reported and skipped."""
    from gvckit.output import write_frame
    from gvckit.portfolio.codelists import read_codelists
    from gvckit.portfolio.iati import Limits, find_files
    from gvckit.portfolio.rates import read_rates, shipped_rates
    from gvckit.portfolio.schema import ACTIVITIES
    from gvckit.portfolio.store import PortfolioStore

    if max_file_mb <= 0:
        raise OptionError("--max-file-mb must be positive")
    if output is not None and output.suffix.lower() != ".csv":
        raise OptionError(f"--output must be a .csv file, not {output.name!r}")
    if output is not None and not output.parent.is_dir():
        raise OptionError(f"--output: folder {output.parent} does not exist")
    files = find_files(paths)
    if not files:
        raise GvcError("no .xml or .xml.gz files under the given paths")
    names = read_codelists(codelists)
    table = read_rates(rates) if rates is not None else (shipped_rates() if usd else None)
    with PortfolioStore(db) as store:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err_console, transient=True,
                      disable=not err_console.is_terminal) as bar:  # fmt: skip
            task = bar.add_task("scanning", total=len(files))

            def step(path: Path) -> None:
                bar.update(task, advance=1, description=f"scanning {path.name}")

            result = store.scan(files, limits=Limits(max_file_mb * 1024**2), rates=table,
                                codelists=names, progress=step)  # fmt: skip
        for p in result.problems:
            where = f", line {p.line}" if p.line else ""
            _stderr(f"refused: {p.file}{where}: {p.reason}")
        if output is not None:
            acts = store.activities(ACTIVITIES.c.scan_id == result.scan_id)
            write_frame(acts.drop(columns="scan_id"), output)  # the same files, the same CSV
            fin = store.finances(acts["iati_identifier"])
            write_frame(fin, output.with_name(f"{output.stem}-finances.csv"))
    _warn_skipped(result.skipped)
    vc = result.value_chain
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in result.problem_counts.items())
    _stderr(
        f"{result.activities:,} activities in {result.files:,} files: value chain yes"
        f" {vc.get('yes', 0):,}, possible {vc.get('possible', 0):,};"
        f" {result.duplicates:,} duplicate identifiers; {result.refused:,} files refused;"
        f" problems: {kinds or 'none'}"
    )


def _warn_skipped(skipped: list[FileSkips], shown: int = 5) -> None:
    """One warning naming the top problem kinds and the files that lost the most."""
    if not skipped:
        return
    kinds: dict[str, int] = {}
    for s in skipped:
        for kind, n in s.kinds.items():
            kinds[kind] = kinds.get(kind, 0) + n
    top = ", ".join(f"{kind} {n:,}" for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    _stderr(f"warning: more than 1 % of the transactions or budgets were skipped in"
            f" {len(skipped):,} files ({top}):")  # fmt: skip
    for s in sorted(skipped, key=lambda s: -(s.transactions_skipped + s.budgets_skipped))[:shown]:
        parts = []
        if s.transactions_skipped:
            parts.append(f"{s.transactions_skipped:,} of {s.transactions:,} transactions")
        if s.budgets_skipped:
            parts.append(f"{s.budgets_skipped:,} of {s.budgets:,} budgets")
        main_kind = max(s.kinds.items(), key=lambda kv: kv[1])[0]
        _stderr(f"  {s.file}: {' and '.join(parts)} skipped, mostly {main_kind}")
    if len(skipped) > shown:
        _stderr(f"  ... and {len(skipped) - shown:,} more files")
    _stderr("  `gvckit portfolio problems` lists every problem by kind, file and activity")


@portfolio_app.command("problems")
def portfolio_problems(
    db: DbOpt = None,
    usd: Annotated[
        bool,
        typer.Option("--usd", help="The amounts that cannot be converted to US dollars instead."),
    ] = False,
    fmt: TableFormat = "auto",
) -> None:
    """Problems found in the scanned files: kind, file, activity and count."""
    from gvckit.portfolio.store import PortfolioStore
    from gvckit.portfolio.summary import unconverted

    with PortfolioStore(db) as store:
        frame = unconverted(store) if usd else store.problems()
    if frame.empty:
        _stderr("every amount converts to US dollars" if usd
                else "no problems recorded (or nothing scanned yet)")  # fmt: skip
        return
    _emit(frame, fmt)


@portfolio_app.command("summary")
def portfolio_summary(
    db: DbOpt = None,
    by: Annotated[
        str,
        typer.Option(help="finance_type, pattern, field, upgrading, country, year, publisher."),
    ] = "finance_type",
    publisher: Annotated[str | None, typer.Option(help="Reporting org ref.")] = None,
    country: Annotated[str | None, typer.Option(help="Recipient country (ISO 2).")] = None,
    region: Annotated[str | None, typer.Option(help="Recipient region code (e.g. 489).")] = None,
    sector: Annotated[str | None, typer.Option(help="DAC sector code prefix.")] = None,
    years: Annotated[str | None, typer.Option(help="Start years, e.g. 2010-2020.")] = None,
    value_chain: Annotated[
        str, typer.Option("--value-chain", help="Verdicts included, e.g. yes or yes,possible.")
    ] = "yes,possible",
    usd: Annotated[
        bool,
        typer.Option("--usd", help="Sum in US dollars (converted from the stored values)."),
    ] = False,
    questions: Annotated[
        bool, typer.Option("--questions", help="The review's questions instead of a table.")
    ] = False,
    fmt: TableFormat = "auto",
) -> None:
    """Activities and amounts by funding type, pattern, country or year (IDB review style)."""
    from gvckit.output import money_for_people, output_style
    from gvckit.portfolio.store import PortfolioStore
    from gvckit.portfolio.summary import KINDS_SHOWN, review, summary, unconverted

    span = _years(years)
    verdicts = [v.strip() for v in value_chain.split(",") if v.strip()]
    with PortfolioStore(db) as store:
        if questions:
            frame = review(store, publisher=publisher, country=country, years=span)
        else:
            frame = summary(store, by, publisher=publisher, country=country, region=region,
                            sector=sector,
                            years=span, value_chain=verdicts, usd=usd)  # fmt: skip
            if usd:
                missed = unconverted(store, publisher=publisher, country=country, region=region,
                                     sector=sector, years=span, value_chain=verdicts)  # fmt: skip
                _warn_unconverted(missed)
    if output_style(fmt) == "table" and not questions:  # a terminal's table, asked or not
        frame = money_for_people(frame, KINDS_SHOWN)
    _emit(frame, fmt)


def _warn_unconverted(missed: pd.DataFrame) -> None:
    """One line: how many amounts were left out of the US dollar sums, and why."""
    if missed.empty:
        return
    total = int(missed["count"].sum())
    acts = missed["iati_identifier"].nunique()
    why = []
    for reason, rows in missed.groupby("reason", sort=True):
        top = rows.groupby("currency")["count"].sum().sort_values(ascending=False).head(4)
        detail = ", ".join(f"{cur or '?'} {n:,}" for cur, n in top.items())
        why.append(f"{reason} {int(rows['count'].sum()):,} ({detail})")
    _stderr(f"warning: {total:,} amounts of {acts:,} activities are not in the US dollar sums"
            f" (column not_converted): {'; '.join(why)};"
            " `gvckit portfolio problems --usd` lists them")  # fmt: skip


@portfolio_app.command("show")
def portfolio_show(
    identifier: Annotated[str, typer.Argument(help="IATI identifier.")],
    db: DbOpt = None,
) -> None:
    """Everything stored about one activity, as JSON."""
    from gvckit.portfolio.store import PortfolioStore

    with PortfolioStore(db) as store:
        found = store.activity(identifier)
    if found is None:
        raise GvcError(f"no activity {identifier!r} in the database (run gvckit portfolio scan)")
    out_console.print_json(json.dumps(found, ensure_ascii=False, default=str))
