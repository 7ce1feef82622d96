"""Work derived from one table, kept with the table so that measures reuse it.

Every :class:`~gvckit.icio.table.IcioTable` owns one :class:`WorkCache`. When
:func:`gvckit.icio.measure` is given a table, it asks the table's cache for the solved model of
the requested grouping (the LU factorisation of I − A and a lazy
:class:`~gvckit.icio.decompose.Basis`): the first measure builds it, the next ones reuse it, so
``measure("tiva", t); measure("vs", t)`` factorises once, as with a model built by hand.

The cache is

- **bounded**: at most ``max_entries`` groupings (default :data:`MAX_GROUPINGS`), least
  recently used dropped first. One entry holds the model (the LU factors, and A once a measure
  needed it: 2·n² floats) and the Basis blocks computed so far (the explicit inverse once a
  decomposition needed it: n² more), i.e. at most about 3·n²·8 bytes per grouping (48 MiB at
  WIOD size, 290 MiB at OECD ICIO size). ``table.clear_cache()`` frees it at once; it is also
  freed with the table.
- **thread-safe**: one lock per cache; a second thread asking for the same grouping waits for the
  first one's factorisation instead of repeating it. (The Basis guards its own blocks.)
- **local to a process**: pickling a table (to send it to a Dask worker, or with ``copy``)
  leaves the cache behind; the copy starts with an empty one. Table equality never looks at it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["MAX_GROUPINGS", "WorkCache"]

#: Groupings whose solved model one table keeps by default.
MAX_GROUPINGS = 2

T = TypeVar("T")


class WorkCache:
    """A lock-guarded, least-recently-used store of at most ``max_entries`` values by key."""

    __slots__ = ("_entries", "_lock", "max_entries")

    def __init__(self, max_entries: int = MAX_GROUPINGS) -> None:
        if max_entries < 0:
            raise ValueError(f"max_entries must be >= 0, not {max_entries}")
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value kept under ``key``, or ``build()`` kept under it (built under the lock:
        concurrent callers wait for one build). With ``max_entries == 0`` nothing is kept."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                value: T = self._entries[key]
                return value
            value = build()
            if self.max_entries:
                self._entries[key] = value
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
            return value

    def clear(self) -> None:
        """Drop every value."""
        with self._lock:
            self._entries.clear()

    def keys(self) -> tuple[Hashable, ...]:
        """Keys held, least recently used first."""
        with self._lock:
            return tuple(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<WorkCache {len(self)}/{self.max_entries} entries>"

    def __reduce__(self) -> tuple[type[WorkCache], tuple[int]]:
        """Pickles as an empty cache: derived work never travels with a table."""
        return (WorkCache, (self.max_entries,))
