"""Job results as people and programs take them: the tidy table in CSV, JSON or Parquet (the
same bytes ``gvckit measure -o`` writes), one page of rows, and a chart of the largest values.
Nothing is computed here: rows are read from the job's result file as the measure wrote it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd

from gvckit.errors import OptionError
from gvckit.jobs.queue import Job
from gvckit.store.workspaces import NotFoundError

__all__ = ["MEDIA", "REPORT_MEDIA", "chart_json", "frame_of", "report_bytes", "result_bytes"]

MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json",
         "parquet": "application/vnd.apache.parquet"}  # fmt: skip
#: Media of a report job's results.
REPORT_MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def frame_of(data_dir: Path, job: Job) -> pd.DataFrame:
    if job.status != "done" or not job.result_path:
        raise NotFoundError("the job has no result (yet)")
    return pd.read_parquet(data_dir / job.result_path)


def result_bytes(data_dir: Path, job: Job, fmt: str) -> bytes:
    """The result in ``fmt`` (csv, json or parquet), as :func:`gvckit.output.write_frame`; a
    report job's in html (or pdf, when it was asked for)."""
    if job.table_id is None and job.measure == "report":
        return report_bytes(data_dir, job, fmt)
    if fmt not in MEDIA:
        raise OptionError(f"format must be csv, json or parquet, not {fmt!r}")
    if fmt == "parquet":
        frame_of(data_dir, job)  # checks it is done
        return (data_dir / str(job.result_path)).read_bytes()
    frame = frame_of(data_dir, job)
    buf = io.StringIO()
    if fmt == "csv":
        frame.to_csv(buf, index=False, lineterminator="\n")
    else:
        frame.to_json(buf, orient="records", double_precision=15, indent=None, date_format="iso")
    return buf.getvalue().encode("utf-8")


def report_bytes(data_dir: Path, job: Job, fmt: str) -> bytes:
    """The HTML (or PDF) a report job wrote."""
    if fmt not in REPORT_MEDIA:
        raise OptionError(f"a report is html or pdf, not {fmt!r}")
    if job.status != "done" or not job.result_path:
        raise NotFoundError("the job has no result (yet)")
    path = data_dir / job.result_path
    if fmt == "pdf":
        path = path.with_suffix(".pdf")
        if not path.is_file():
            raise NotFoundError("this report was built without a PDF; ask for pdf: true")
    return path.read_bytes()


def label_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c != "value"]


#: Key columns whose values are different quantities (decomposition terms, indicators): a chart
#: shows one of them at a time, never a mix.
QUANTITY_KEYS = ("term", "indicator", "kind")


def chart_json(frame: pd.DataFrame, top: int = 25) -> str:
    """A plotly bar chart (JSON, for a data attribute) of the ``top`` rows with the largest
    absolute values, labelled by their key columns; where a key names the quantity (term,
    indicator, kind), only the rows of its first value (e.g. EXGR) are shown."""
    keys = label_columns(frame)
    rows = frame[pd.notna(frame["value"])]
    title = ""
    for key in QUANTITY_KEYS:
        if key in keys and len(rows):
            first = rows[key].iloc[0]
            rows = rows[rows[key] == first]
            keys = [k for k in keys if k != key]
            title = f"{key} {first}: "
            break
    order = rows["value"].abs().sort_values(ascending=False, kind="stable").index[:top]
    rows = rows.loc[order][::-1]
    labels = [" · ".join(str(v) for v in r) for r in rows[keys].itertuples(index=False)]
    fig: dict[str, Any] = {
        "data": [{"type": "bar", "orientation": "h", "x": rows["value"].tolist(),
                  "y": labels, "marker": {"color": "#2b6cb0"},
                  "hovertemplate": "%{y}: %{x:,.4g}<extra></extra>"}],
        "layout": {"margin": {"l": 220, "r": 20, "t": 30, "b": 40},
                   "height": max(300, 22 * len(labels) + 80),
                   "title": {"text": f"{title}largest {len(labels)} values"},
                   "xaxis": {"title": {"text": "value"}, "zeroline": True},
                   "yaxis": {"automargin": True}},
    }  # fmt: skip
    return json.dumps(fig, allow_nan=False)
