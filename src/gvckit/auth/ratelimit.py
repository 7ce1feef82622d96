"""Login attempts rate-limited per client address and per user name (sliding window, in the
server's memory: a restart forgets it, which only shortens a lock-out)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

__all__ = ["LoginLimiter"]


class LoginLimiter:
    """At most ``attempts`` failed logins per key within ``window`` seconds."""

    def __init__(self, attempts: int = 10, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] < now - self.window:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.attempts for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
