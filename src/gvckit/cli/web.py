"""``gvckit serve`` (the workbench) and ``gvckit users`` (its people and API tokens)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from gvckit.cli._app import OutOpt, TableFormat, _emit, _stderr, app, out_console
from gvckit.errors import GvcError, OptionError

users_app = typer.Typer(help="Workbench users, roles and API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")

WebDbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $GVCKIT_DB or DATA_DIR/gvckit.db)."),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Uploads, results and the secret key ($GVCKIT_DATA_DIR, ./gvckit-data)."
    ),
]


def _need_web() -> None:
    try:
        import argon2  # noqa: F401
        import fastapi  # noqa: F401
        import itsdangerous  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise GvcError("the workbench needs the web extra: pip install 'gvckit[web]'") from None


def _engine(db: str | None, data_dir: Path | None) -> Any:
    from gvckit.store.database import open_engine
    from gvckit.web.settings import database_url

    _need_web()
    return open_engine(database_url(db, data_dir))


@app.command("serve")
def serve(
    db: WebDbOpt = None,
    data_dir: DataDirOpt = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind; 0.0.0.0 serves the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port.")] = 8765,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Jobs run at a time (default 2).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Run jobs on a Dask cluster: its address tcp://HOST:PORT."
        ),
    ] = None,
    example: Annotated[
        bool,
        typer.Option(
            "--example", help="Local mode: put the bundled WIOD 2011 table in an example workspace."
        ),
    ] = False,
) -> None:
    """Serve the workbench: workspaces, tables, measures and jobs, in a browser and as an API."""
    _need_web()
    import uvicorn

    from gvckit.auth import users
    from gvckit.store.database import open_engine
    from gvckit.store.portfolio import workbench_codelists
    from gvckit.web.app import create_app
    from gvckit.web.settings import Settings, is_loopback

    settings = Settings.build(
        db=db, data_dir=data_dir, host=host, port=port, workers=workers, scheduler=scheduler
    )
    workbench_codelists()  # read now: a wrong folder stops serve here, not a page later
    engine = open_engine(settings.db_url)
    try:
        local = is_loopback(settings.host)
        if not local and not users.has_users(engine):
            raise OptionError(
                f"refusing to serve on {settings.host} with no users: anyone reaching it would"
                " be admin. Add one first (gvckit users add NAME --role admin --db URL), or"
                " serve on 127.0.0.1 for yourself"
            )
        admin = users.ensure_local_admin(engine) if local else None
        link = users.new_login_link(engine, admin) if admin is not None else None
        if example and admin is not None:
            _example_workspace(engine, settings, admin)
    finally:
        engine.dispose()
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{shown}:{settings.port}"
    out_console.print(f"gvckit workbench on {base}  (database {_safe_url(settings.db_url)})",
                      markup=False)  # fmt: skip
    if link is not None:
        out_console.print("Open this link to log in as the local admin (it works once):",
                          markup=False)  # fmt: skip
        out_console.print(f"    {base}/login/link?token={link}", markup=False, soft_wrap=True)
    sys.stdout.flush()
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level="warning",
        access_log=False, server_header=False, timeout_graceful_shutdown=5,
    )  # fmt: skip


def _example_workspace(engine: Any, settings: Any, admin: Any) -> None:
    """The bundled table in a workspace of the local admin (once)."""
    from gvckit.store import tables, workspaces

    name = "Example: WIOD 2011"
    if any(w.name == name for w in workspaces.list_workspaces(engine, admin)):
        return
    ws = workspaces.create_workspace(
        engine,
        admin,
        name,
        description="The WIOD 2013-release table for 2011, bundled with gvckit.",
    )
    tables.add_example(engine, settings.data_dir, admin, ws, "wiod2011")


def _safe_url(url: str) -> str:
    """A database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unreadable URL)"


RoleOpt = Annotated[str, typer.Option("--role", help="Default role: admin, analyst or viewer.")]


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: RoleOpt = "analyst",
    db: WebDbOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Add a user. The password is read from stdin (first line) when it is not a terminal;
    otherwise one is generated and printed once."""
    from gvckit.auth import users

    given = _password_from_stdin()
    engine = _engine(db, data_dir)
    try:
        user, password = users.add_user(engine, name, role, given)
    finally:
        engine.dispose()
    typer.echo(f"user {user.name} added (role {user.role})")
    if given is None:
        typer.echo("generated password (shown once; the database keeps only its hash):")
        typer.echo(password)


def _password_from_stdin(wait: float = 2.0) -> str | None:
    """The first line of stdin when it is not a terminal and sends something within ``wait``
    seconds (an open pipe that stays silent must not hang the command), else None."""
    import select

    if sys.stdin is None or sys.stdin.isatty():
        return None
    try:
        ready, _, _ = select.select([sys.stdin], [], [], wait)
    except (OSError, ValueError):  # not a real file (tests pass a StringIO)
        ready = [sys.stdin]
    if not ready:
        return None
    return sys.stdin.readline().rstrip("\r\n") or None


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="User name.")],
    db: WebDbOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """A new API token for NAME, printed alone on the last line (shown once, stored hashed).
    Send it as: Authorization: Bearer TOKEN."""
    from gvckit.auth import users

    engine = _engine(db, data_dir)
    try:
        token = users.new_api_token(engine, name)
    finally:
        engine.dispose()
    typer.echo(f"new API token for {name} (shown once; revoke with gvckit users revoke {name}):")
    typer.echo(token)


@users_app.command("revoke")
def users_revoke(
    name: Annotated[str, typer.Argument(help="User name.")],
    token: Annotated[
        str | None, typer.Option("--token", help="Revoke this token only (default: all).")
    ] = None,
    db: WebDbOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Revoke NAME's API tokens (or the one given)."""
    from gvckit.auth import users

    engine = _engine(db, data_dir)
    try:
        count = users.revoke_tokens(engine, name, token)
    finally:
        engine.dispose()
    if token is not None and count == 0:
        raise OptionError(f"no active token of {name!r} matches the one given")
    typer.echo(f"{count} token(s) of {name} revoked")


@users_app.command("list")
def users_list(
    db: WebDbOpt = None,
    data_dir: DataDirOpt = None,
    fmt: TableFormat = "auto",
    output: OutOpt = None,
) -> None:
    """Users with their default role, state and number of active tokens."""
    import pandas as pd

    from gvckit.auth import users

    engine = _engine(db, data_dir)
    try:
        rows = users.list_users(engine)
    finally:
        engine.dispose()
    frame = pd.DataFrame(
        [
            (u.name, u.role, "disabled" if u.disabled else ("local" if u.local else "active"), n)
            for u, n in rows
        ],
        columns=["name", "role", "state", "tokens"],
    )
    _emit(frame, fmt, output)


@users_app.command("disable")
def users_disable(
    name: Annotated[str, typer.Argument(help="User name.")],
    db: WebDbOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Disable NAME: no login; their tokens are revoked and sessions ended."""
    from gvckit.auth import users

    engine = _engine(db, data_dir)
    try:
        users.disable_user(engine, name)
    finally:
        engine.dispose()
    _stderr(f"user {name} disabled")
