"""The result chart shows rows of the result as they are: the largest values of one term at a
time, checked against a plain sort of the measure's rows."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi")

from gvckit import icio
from gvckit.web.results import chart_json
from webserver import BUNDLED


def test_chart_is_the_largest_rows_of_one_term() -> None:
    frame = icio.measure("bm", icio.read(BUNDLED))
    fig = json.loads(chart_json(frame))
    bars = fig["data"][0]
    exgr = [(r.exporter, r.value) for r in frame.itertuples() if r.term == "EXGR"]
    biggest = sorted(exgr, key=lambda kv: -abs(kv[1]))[:25][::-1]
    assert bars["y"] == [k for k, _ in biggest]
    assert bars["x"] == [v for _, v in biggest]
    assert fig["layout"]["title"]["text"] == "term EXGR: largest 25 values"
    small = json.loads(chart_json(frame.head(3)))  # fewer rows than bars
    assert len(small["data"][0]["x"]) == 1
