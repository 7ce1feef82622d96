"""Jobs: work that may take more than a moment, persisted in the database and run by worker
processes (a local pool, or a Dask cluster with ``--scheduler``).

Statuses: queued → running → done | failed | cancelled; running jobs of a server that stopped
are marked interrupted at the next start and can be rerun. Results are written to a temporary
name and renamed, then recorded: a result is visible only once complete.
"""

from __future__ import annotations

from gvckit.jobs.queue import STATUSES, Job

__all__ = ["STATUSES", "Job"]
