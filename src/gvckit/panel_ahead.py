"""Reading one table ahead: while a panel task computes its year, a background thread of the
same worker process reads (parses) the table of the task that comes next, so that the next
task finds it read.

Bounded: one worker process holds at most one table read ahead (starting a read-ahead drops
the one held, read or not), so memory grows by one table over reading each year when it
comes. A task takes the table read ahead only when it was read for the same task and reader
options; otherwise it reads its own. Reading errors are raised by :func:`take` in the task, as
if the task had read the table itself: results, failures and what is written are the same.

Used by :func:`gvckit.panel.write` when the cluster has one worker thread (then the next task
is known: the next year in order); on several workers the next task of a worker is the
scheduler's choice and nothing is read ahead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["drop", "start", "take"]

#: Tables taken read ahead in this process (how often reading ahead served a task).
hits = 0
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_slot: tuple[Hashable, Future[Any]] | None = None


def start(key: Hashable, read: Callable[[], Any]) -> None:
    """Run ``read()`` in the background for the task ``key`` (one at a time per process)."""
    global _pool, _slot
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(1, thread_name_prefix="gvckit-read-ahead")
        old, _slot = _slot, (key, _pool.submit(read))
    if old is not None:
        old[1].cancel()


def take(key: Hashable, read: Callable[[], Any]) -> Any:
    """The table of task ``key``: the one read ahead for it (waiting for the read to end, and
    raising its error), else ``read()`` now. The slot is emptied either way."""
    global _slot, hits
    with _lock:
        held, _slot = _slot, None
        if held is not None and held[0] == key:
            hits += 1
    if held is not None and held[0] == key:
        return held[1].result()
    if held is not None:
        held[1].cancel()
    return read()


def drop() -> None:
    """Forget a table read ahead (the panel is over)."""
    global _slot
    with _lock:
        held, _slot = _slot, None
    if held is not None:
        held[1].cancel()
