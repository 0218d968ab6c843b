"""``cspr user add|list|disable|enable|passwd``: the workbench's accounts."""

from __future__ import annotations

from typing import Annotated

import typer

from cspr.cli.common import DataDirOption, JsonOption, _print_json, _refusals, _session

user_app = typer.Typer(help="Workbench accounts: add, list, disable, passwd.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")


def _password(value: str | None) -> str:
    return value or typer.prompt("password", hide_input=True, confirmation_prompt=True)


@user_app.command("add")
def add_command(
    username: Annotated[str, typer.Argument(help="Login name (lower case).")],
    role: Annotated[str, typer.Option(help="panel_member, reviewer, analyst or admin.")],
    name: Annotated[str, typer.Option("--name", help="Name shown in the app.")],
    partnership: Annotated[str | None, typer.Option(help="A panel member's partnership.")] = None,
    password: Annotated[
        str | None, typer.Option(help="Prompted for if not given (keeps it out of history).")
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Add an account."""
    from review_flows.cases import parse_input
    from review_flows.partnership_models import UserCreate
    from review_flows.users import create_user

    with _refusals(), _session(data_dir) as session:
        data = {"username": username, "display_name": name, "role": role,
                "partnership": partnership, "password": _password(password)}  # fmt: skip
        user = create_user(session, parse_input(UserCreate, data))
    where = f", {user.partnership}" if user.partnership else ""
    typer.echo(f"added {user.username} ({user.role.value}{where})")


@user_app.command("list")
def list_command(as_json: JsonOption = False, data_dir: DataDirOption = None) -> None:
    """The accounts (never their passwords)."""
    from review_flows.users import list_users

    with _refusals(), _session(data_dir) as session:
        users = list_users(session)
    if as_json:
        _print_json([u.model_dump(mode="json") for u in users])
        return
    for u in users:
        state = "disabled" if u.disabled else "active"
        typer.echo(f"{u.username:<24} {u.role.value:<13} {u.partnership or '-':<40} {state}")


@user_app.command("disable")
def disable_command(username: str, data_dir: DataDirOption = None) -> None:
    """Disable an account (it can no longer sign in)."""
    from review_flows.users import set_disabled

    with _refusals(), _session(data_dir) as session:
        set_disabled(session, username, True)
    typer.echo(f"disabled {username}")


@user_app.command("enable")
def enable_command(username: str, data_dir: DataDirOption = None) -> None:
    """Enable a disabled account."""
    from review_flows.users import set_disabled

    with _refusals(), _session(data_dir) as session:
        set_disabled(session, username, False)
    typer.echo(f"enabled {username}")


@user_app.command("passwd")
def passwd_command(
    username: str,
    password: Annotated[str | None, typer.Option(help="Prompted for if not given.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Set a new password (and lift a lock-out)."""
    from review_flows.users import set_password

    with _refusals(), _session(data_dir) as session:
        set_password(session, username, _password(password))
    typer.echo(f"password of {username} changed")
