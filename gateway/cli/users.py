"""`hotline users ...`: accounts of agents, department handlers, supervisors, maintainers and admins."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import typer

from gateway.auth.users import ACCOUNT_ROLES, UserStore

app = typer.Typer(help="Accounts and API tokens.", no_args_is_help=True)
_ROLES = ", ".join(r.value for r in ACCOUNT_ROLES)


def _users() -> UserStore:
    from gateway.settings import get_settings
    from gateway.store import create_engine_for, upgrade_database

    url = get_settings().resolved_database_url
    upgrade_database(url)
    return UserStore(create_engine_for(url))


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _fail(error: Exception) -> typer.Exit:
    typer.echo(f"error: {getattr(error, 'detail', error)}", err=True)
    return typer.Exit(1)


@app.command("create")
def create(
    username: str,
    role: str = typer.Option(..., help=f"One of: {_ROLES}."),
    department: str = typer.Option(None, help="Required for department handlers."),
    display_name: str = typer.Option("", help="Name shown in consoles."),
    no_password: bool = typer.Option(False, help="An account that only uses API tokens."),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
) -> None:
    """Create an account (asks for the password unless --no-password or --password-stdin)."""
    from gateway.auth.errors import AuthError

    password = None if no_password else _password(password_stdin)
    try:
        user = _users().create(
            username, role, password=password, department=department, display_name=display_name, actor="cli"
        )
    except AuthError as error:
        raise _fail(error) from error
    typer.echo(f"created {user.username} ({user.role.value}{', ' + user.department if user.department else ''})")


@app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List accounts."""
    users = _users().all()
    if as_json:
        typer.echo(json.dumps([u.to_dict() for u in users], ensure_ascii=False, indent=1))
        return
    for user in users:
        state = "" if user.active else "  (disabled)"
        typer.echo(f"{user.username:<24} {user.role.value:<11} {user.department or '-'}{state}")


@app.command("set-password")
def set_password(username: str, password_stdin: bool = typer.Option(False)) -> None:
    """Set a new password."""
    from gateway.auth.errors import AuthError

    try:
        _users().update(username, password=_password(password_stdin), actor="cli")
    except AuthError as error:
        raise _fail(error) from error
    typer.echo(f"password of {username} changed")


@app.command("set-role")
def set_role(username: str, role: str, department: str = typer.Option(None)) -> None:
    """Change an account's role (and department)."""
    from gateway.auth.errors import AuthError

    try:
        user = _users().update(username, role=role, department=department, actor="cli")
    except AuthError as error:
        raise _fail(error) from error
    typer.echo(f"{user.username} is now {user.role.value}")


@app.command("disable")
def disable(username: str) -> None:
    """Disable an account: sign-in and its API tokens stop working."""
    _set_active(username, False)


@app.command("enable")
def enable(username: str) -> None:
    """Enable a disabled account."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from gateway.auth.errors import AuthError

    try:
        _users().update(username, active=active, actor="cli")
    except AuthError as error:
        raise _fail(error) from error
    typer.echo(f"{username} {'enabled' if active else 'disabled'}")


@app.command("token")
def token(
    username: str,
    name: str = typer.Option(..., help="What the token is for."),
    expires_days: int = typer.Option(None, min=1, help="Days until it expires (default: never)."),
) -> None:
    """Create an API token; it is printed once."""
    from gateway.auth.errors import AuthError

    expires = timedelta(days=expires_days) if expires_days else None
    try:
        plain, record = _users().create_token(username, name, expires_in=expires, actor="cli")
    except AuthError as error:
        raise _fail(error) from error
    typer.echo(plain)
    typer.echo(f"token {record.id} for {username}; store it now, it is not shown again", err=True)


@app.command("revoke-token")
def revoke_token(token_id: int) -> None:
    """Revoke an API token by its id."""
    from gateway.auth.errors import AuthError

    try:
        _users().revoke_token(token_id, actor="cli")
    except AuthError as error:
        raise _fail(error) from error
    typer.echo(f"token {token_id} revoked")
