"""The table's work cache: measures on one table reuse its factorisation and Basis; the cache is
bounded, thread-safe and never pickled with the table."""

from __future__ import annotations

import copy
import pickle
import threading

import numpy as np
import pandas as pd
import pytest

import gvckit.icio as icio
from gvckit.icio.measures import solved
from gvckit.icio.workcache import MAX_GROUPINGS, WorkCache


def _table(G: int = 6, N: int = 4, seed: int = 3) -> icio.IcioTable:
    rng = np.random.default_rng(seed)
    n = G * N
    Z = rng.random((n, n)) * 10
    Y = rng.random((n, G)) * 100 + 50
    return icio.IcioTable(
        entities=[f"C{g}" for g in range(G)], sectors=[f"s{k}" for k in range(N)], Z=Z, Y=Y
    )


def test_measures_on_one_table_share_one_model_and_basis() -> None:
    t = _table()
    tiva = icio.measure("tiva", t)
    basis = solved(t)
    vs = icio.measure("vs", t)
    wwz = icio.measure("wwz", t)
    assert solved(t) is basis  # nothing built again
    model = icio.IcioModel(t)  # the same numbers as from a model built by hand, anew
    pd.testing.assert_frame_equal(tiva, icio.measure("tiva", model))
    pd.testing.assert_frame_equal(vs, icio.measure("vs", model))
    pd.testing.assert_frame_equal(wwz, icio.measure("wwz", icio.Basis(model)))
    assert "Bd" in vars(basis)  # the blocks wwz needed are kept for the next decomposition
    assert "B" not in vars(basis)  # and they came from the factorisation, not the inverse


def test_groupings_are_kept_apart_and_bounded() -> None:
    t = _table()
    plain = solved(t)
    grouped = solved(t, ["G=C0,C1"])
    assert grouped is not plain
    assert grouped.model.grouping.units[0] == "G"
    assert solved(t, {"G": ["C1", "C0"]}) is grouped  # the same groups, written otherwise
    assert solved(t) is plain
    for k in range(2, 2 + MAX_GROUPINGS):
        solved(t, [f"H=C{k},C{k + 1}"])
    assert len(t._work) == MAX_GROUPINGS
    assert solved(t) is not plain  # the least recently used grouping was dropped
    t.clear_cache()
    assert len(t._work) == 0


def test_threads_build_once_and_agree() -> None:
    t = _table(G=8, N=5)
    expected = {m: icio.measure(m, icio.IcioModel(t)) for m in ("tiva", "vs", "vax")}
    expected["wwz"] = icio.measure("wwz", icio.Basis(icio.IcioModel(t)))
    names = list(expected) * 4
    start = threading.Barrier(len(names))
    results: dict[int, pd.DataFrame] = {}
    bases: dict[int, object] = {}
    inverses: dict[int, object] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            start.wait()
            results[k] = icio.measure(names[k], t)
            bases[k] = solved(t)
            inverses[k] = solved(t).B
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(names))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert len({id(b) for b in bases.values()}) == 1  # one factorisation for every thread
    assert len({id(b) for b in inverses.values()}) == 1  # one explicit inverse
    for k, name in enumerate(names):
        pd.testing.assert_frame_equal(results[k], expected[name])


def test_pickling_leaves_the_cache_behind() -> None:
    t = _table(G=10, N=6)
    bare = len(pickle.dumps(t))
    icio.measure("wwz", t)  # model, inverse and WWZ terms now kept with t
    assert len(t._work) == 1
    data = pickle.dumps(t)
    assert len(data) == bare
    back = pickle.loads(data)
    assert len(back._work) == 0 and len(t._work) == 1
    for name in ("Z", "Y", "x", "va"):
        arr = getattr(back, name)
        np.testing.assert_array_equal(arr, getattr(t, name))
        assert not arr.flags.writeable
    with pytest.raises(AttributeError):
        back.x = np.zeros(3)  # type: ignore[misc]
    pd.testing.assert_frame_equal(icio.measure("vs", back), icio.measure("vs", t))
    assert len(copy.copy(t)._work) == 0
    assert len(pickle.loads(pickle.dumps(t._work))) == 0


def test_cloudpickle_as_dask_ships_a_table() -> None:
    cloudpickle = pytest.importorskip("cloudpickle")
    t = _table()
    bare = len(cloudpickle.dumps(t))
    icio.measure("bm", t)
    assert len(cloudpickle.dumps(t)) == bare
    assert len(cloudpickle.loads(cloudpickle.dumps(t))._work) == 0


def test_work_cache_bounds() -> None:
    cache = WorkCache(max_entries=1)
    assert cache.get("a", lambda: 1) == 1
    assert cache.get("a", lambda: 2) == 1
    assert cache.get("b", lambda: 3) == 3
    assert cache.keys() == ("b",)
    off = WorkCache(max_entries=0)
    assert off.get("a", lambda: 1) == 1 and len(off) == 0
    with pytest.raises(ValueError, match="max_entries"):
        WorkCache(-1)
