"""The workbench's settings in one object, from command-line flags and ``GVCKIT_*`` variables
(flags win). Each setting: default, variable, meaning.

========================  ==========================  =============================================
setting                   variable                    default / meaning
========================  ==========================  =============================================
db_url                    GVCKIT_DB                   sqlite:///<data_dir>/gvckit.db
data_dir                  GVCKIT_DATA_DIR             ./gvckit-data (uploads, results, secret key)
host, port                GVCKIT_HOST, GVCKIT_PORT    127.0.0.1, 8765
workers                   GVCKIT_WORKERS              2 job processes at a time
scheduler                 GVCKIT_SCHEDULER            none (a Dask scheduler address: tcp://...)
max_upload_bytes          GVCKIT_MAX_UPLOAD_MB        512 MiB
session_hours             GVCKIT_SESSION_HOURS        12
secure_cookies            GVCKIT_SECURE_COOKIES       0 (set 1 behind a TLS proxy)
secret_key                GVCKIT_SECRET_KEY           generated once into <data_dir>/secret_key
portfolio_roots           GVCKIT_PORTFOLIO_ROOTS      none: folders (separated by ``:``) whose IATI
                                                      files may be scanned by path
========================  ==========================  =============================================

The IATI codelists (``GVCKIT_IATI_CODELISTS``, a folder; none: codes stay unnamed) are not a
setting of this object: :func:`gvckit.store.portfolio.workbench_codelists` reads them, once, for
``gvckit serve``, its pages and, handed over by the server, its job processes.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gvckit.errors import OptionError

__all__ = ["Settings", "database_url", "is_loopback"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` binds only the local machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def database_url(
    db: str | None, data_dir: Path | None, env: Mapping[str, str] | None = None
) -> str:
    """The database URL as ``serve`` resolves it (flag, ``$GVCKIT_DB``, else SQLite in the data
    dir, which is then created); touches nothing when a URL is given."""
    env = os.environ if env is None else env
    url = db or env.get("GVCKIT_DB")
    if url:
        return url
    folder = Path(data_dir or env.get("GVCKIT_DATA_DIR") or "gvckit-data").resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OptionError(f"cannot use the data dir {folder}: {exc.strerror}") from None
    return f"sqlite:///{folder / 'gvckit.db'}"


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise OptionError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise OptionError(f"{name} must be between {low} and {high}, not {value}")
    return value


@dataclass(frozen=True)
class Settings:
    db_url: str
    data_dir: Path
    secret_key: str
    host: str = "127.0.0.1"
    port: int = 8765
    workers: int = 2
    scheduler: str | None = None
    max_upload_bytes: int = 512 * 2**20
    session_hours: float = 12.0
    login_attempts: int = 10
    login_window: float = 300.0
    secure_cookies: bool = False
    portfolio_roots: tuple[Path, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        db: str | None = None,
        data_dir: Path | None = None,
        host: str | None = None,
        port: int | None = None,
        workers: int | None = None,
        scheduler: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from flags (None: not given) and ``env`` (default ``os.environ``); makes the
        data dir and, once, its secret key."""
        env = os.environ if env is None else env
        folder = Path(data_dir or env.get("GVCKIT_DATA_DIR") or "gvckit-data").resolve()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OptionError(f"cannot use the data dir {folder}: {exc.strerror}") from None
        url = db or env.get("GVCKIT_DB") or f"sqlite:///{folder / 'gvckit.db'}"
        n = workers if workers is not None else _int(env, "GVCKIT_WORKERS", 2, 0, 64)
        if not 0 <= n <= 64:
            raise OptionError(f"--workers must be between 0 and 64, not {n}")
        the_port = port if port is not None else _int(env, "GVCKIT_PORT", 8765, 0, 65535)
        sched = scheduler or env.get("GVCKIT_SCHEDULER") or None
        if sched is not None and not sched.startswith(("tcp://", "tls://", "inproc://")):
            raise OptionError(
                f"--scheduler must be a Dask address like tcp://host:8786, not {sched!r}"
            )
        return cls(
            db_url=url,
            data_dir=folder,
            secret_key=env.get("GVCKIT_SECRET_KEY") or _secret_key(folder),
            host=host or env.get("GVCKIT_HOST") or "127.0.0.1",
            port=the_port,
            workers=n,
            scheduler=sched,
            max_upload_bytes=_int(env, "GVCKIT_MAX_UPLOAD_MB", 512, 1, 1 << 20) * 2**20,
            session_hours=float(_int(env, "GVCKIT_SESSION_HOURS", 12, 1, 24 * 90)),
            secure_cookies=env.get("GVCKIT_SECURE_COOKIES", "0") == "1",
            portfolio_roots=_roots(env.get("GVCKIT_PORTFOLIO_ROOTS", "")),
        )


def _roots(raw: str) -> tuple[Path, ...]:
    """The configured scan roots: existing folders, resolved (symbolic links followed)."""
    out = []
    for part in raw.split(os.pathsep):
        if part.strip():
            p = Path(part.strip()).resolve()
            if not p.is_dir():
                raise OptionError(f"GVCKIT_PORTFOLIO_ROOTS: {p} is not a folder")
            out.append(p)
    return tuple(out)


def _secret_key(folder: Path) -> str:
    """The data dir's secret key (signs cookies), made once, readable by its owner only."""
    path = folder / "secret_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it meanwhile
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
