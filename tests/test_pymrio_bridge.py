"""Tables to and from pymrio: round trip, pymrio's Leontief inverse, and a missing pymrio."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import gvckit.icio as icio
from figaro_fixtures import generate as figaro
from gvckit.errors import GvcError
from gvckit.icio import leontief as lt
from gvckit.icio.pymrio_bridge import from_pymrio, to_pymrio
from gvckit.icio.readers.oecd import SPLIT_ENTITIES
from oecd_fixtures import EDITIONS
from oecd_fixtures import generate as oecd


def _figaro_table(tmp_path: Path) -> icio.IcioTable:
    p = tmp_path / "matrix_eu-ic-io_ind-by-ind_24ed_2021.csv"
    p.write_text(figaro().text)
    return icio.read(p)


def _same(a: icio.IcioTable, b: icio.IcioTable) -> None:
    for attr in ("entities", "sectors", "destinations", "categories", "entity_country"):
        assert getattr(a, attr) == getattr(b, attr), attr
    for attr in ("Z", "Y"):
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr), err_msg=attr)
    for attr in ("x", "va"):  # sums: equal up to the order of additions
        np.testing.assert_allclose(getattr(a, attr), getattr(b, attr), rtol=1e-15, err_msg=attr)
    assert list(a.primary_inputs) == list(b.primary_inputs)
    for name, row in a.primary_inputs.items():
        np.testing.assert_array_equal(row, b.primary_inputs[name])
    for attr in ("source", "edition", "year", "unit", "price_basis"):
        assert getattr(a.meta, attr) == getattr(b.meta, attr), attr


def test_round_trip(tmp_path: Path) -> None:
    pytest.importorskip("pymrio", reason="the pymrio extra is not installed")
    table = _figaro_table(tmp_path)
    io = to_pymrio(table)
    assert io.get_regions().tolist() == list(table.entities)
    assert list(io.factor_inputs.F.index) == list(table.primary_inputs)
    back = from_pymrio(io)
    _same(table, back)
    assert back.given_output is not None  # pymrio's x is kept as the published output
    np.testing.assert_array_equal(back.given_output, table.x)


def test_round_trip_with_parts_of_countries(tmp_path: Path) -> None:
    pytest.importorskip("pymrio", reason="the pymrio extra is not installed")
    p = tmp_path / "2017.csv"
    p.write_text(oecd(EDITIONS["2023"]).text)
    table = icio.read(p)
    splits = {e: SPLIT_ENTITIES[e] for e in table.entities if e in SPLIT_ENTITIES}
    _same(table, from_pymrio(to_pymrio(table), entity_country=splits))


def test_pymrio_leontief_matches(tmp_path: Path) -> None:
    pytest.importorskip("pymrio", reason="the pymrio extra is not installed")
    table = _figaro_table(tmp_path)
    io = to_pymrio(table)
    io.calc_all()
    A = lt.technical_coefficients(table.Z, table.x)
    np.testing.assert_allclose(io.A.to_numpy(), A, rtol=1e-14, atol=1e-17)
    np.testing.assert_allclose(
        io.L.to_numpy(), lt.LeontiefSystem(A).inverse(), rtol=1e-12, atol=1e-15
    )
    # a system holding only coefficients and output reads back to the same table
    io.Z = None
    back = from_pymrio(io)
    np.testing.assert_allclose(back.Z, table.Z, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(back.x, table.x, rtol=1e-13)


def test_without_pymrio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = _figaro_table(tmp_path)
    monkeypatch.setitem(sys.modules, "pymrio", None)  # import pymrio → ImportError
    with pytest.raises(GvcError, match=r"pymrio is not installed.*gvckit\[pymrio\]"):
        to_pymrio(table)
    with pytest.raises(GvcError, match="pymrio is not installed"):
        from_pymrio(object())
