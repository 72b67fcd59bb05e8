"""`team setup`, `team add-member ROLE`, `team remove-member ROLE`, `team members`: a shared
store on PostgreSQL (see `briefing.store.team`), run by the database's owner; and
`team remember-password` / `team forget-password`, run by any member.

    briefing --db postgresql://OWNER@HOST/DB team setup [--no-demo]
    briefing --db postgresql://OWNER@HOST/DB team add-member alice
    briefing --db postgresql://alice@HOST/DB team remember-password

When the server asks for a password that libpq's own files (~/.pgpass, the service file) do not
give, every command takes the one the desktop keyring keeps, else asks for it on the terminal
(`getpass`, nothing echoed); without a terminal it exits with a sentence that says how to give
one (`briefing.store.team_login`).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from briefing.cli.common import Commands, add_json_option, print_json
from briefing.errors import InputError
from briefing.paths import default_store, is_team_address


def register(commands: Commands) -> None:
    group = commands.group("team", "a team store on PostgreSQL, shared by its members")
    add_json_option(
        group.command(
            "setup", setup, "create the team store's schema (with the demo unless --no-demo) "
            "or upgrade it; run by the database's owner"
        )
    )  # fmt: skip
    sub = group.command("add-member", add_member, "let a PostgreSQL role read and write the store")
    sub.add_argument("role", metavar="ROLE")
    sub = group.command("remove-member", remove_member, "take a role's rights to the store away")
    sub.add_argument("role", metavar="ROLE")
    add_json_option(group.command("members", members, "list the roles that are members"))
    group.command(
        "remember-password", remember_password, "ask for your password to the team store, check "
        "it, and keep it in the desktop keyring"
    )  # fmt: skip
    group.command(
        "forget-password", forget_password, "remove the password the desktop keyring keeps for "
        "the team store"
    )  # fmt: skip


def _on_terminal() -> bool:
    return sys.stdin.isatty()


def _ask_on_terminal(login, why: str) -> str | None:
    """The password typed on the terminal (not echoed); None without a terminal."""
    if not _on_terminal():
        return None
    print(f"briefing: {why}", file=sys.stderr)
    return getpass.getpass(f"Password for {login.shown} (database {login.database}): ")


def team_password(address: str) -> str | None:
    """The password to open the team store with (None: libpq's files give it, or none is
    needed): the keyring's, else typed on the terminal; `PasswordNeeded` says how to give one."""
    from briefing.store.team_login import login

    return login(address, _ask_on_terminal)


def _address(args: argparse.Namespace) -> str:
    location = getattr(args, "db", None) or default_store()
    if not is_team_address(location):
        raise InputError(
            "team commands work on a team store: give its address with --db "
            "postgresql://ROLE@HOST/DB (or BRIEFING_DB)"
        )
    return str(location)


def setup(args: argparse.Namespace) -> int:
    from briefing.core.demo import load_demo
    from briefing.store import team

    seed = None if getattr(args, "no_demo", False) else load_demo
    address = _address(args)
    report = team.setup(address, seed, password=team_password(address))
    if getattr(args, "json", False):
        print_json(
            {
                "address": report.address,
                "created": report.created,
                "schema_before": report.revision_before,
                "schema": report.revision_now,
                "members": list(report.members),
            }
        )
    elif report.created:
        print(f"set up a team store at {report.address} (schema {report.revision_now})")
    elif report.revision_before != report.revision_now:
        print(f"upgraded {report.address} from {report.revision_before} to {report.revision_now}")
    else:
        print(f"{report.address} is up to date (schema {report.revision_now})")
    return 0


def add_member(args: argparse.Namespace) -> int:
    from briefing.store import team

    address = _address(args)
    now = team.add_member(address, args.role, password=team_password(address))
    print(f"{args.role} is a member; members: {', '.join(now)}")
    return 0


def remove_member(args: argparse.Namespace) -> int:
    from briefing.store import team

    address = _address(args)
    now = team.remove_member(address, args.role, password=team_password(address))
    print(f"{args.role} is no longer a member; members: {', '.join(now) or 'none'}")
    return 0


def members(args: argparse.Namespace) -> int:
    from briefing.store import team

    address = _address(args)
    found = team.members(address, password=team_password(address))
    if getattr(args, "json", False):
        print_json(found)
    else:
        for role in found:
            print(role)
    return 0


def remember_password(args: argparse.Namespace) -> int:
    from briefing.errors import InputError
    from briefing.store import kept_secrets, team, team_login

    address = _address(args)
    if not kept_secrets.usable():
        raise InputError(team_login.no_keyring())
    if not _on_terminal():
        raise InputError(
            "'team remember-password' asks for the password on a terminal (never on the "
            "command line, where 'ps' and the shell's history would show it); run it in one"
        )
    password = getpass.getpass(f"Password for {team.shown(address)}: ")
    if not password:
        raise InputError("no password typed; nothing was kept")
    login = team_login.remember(address, password)
    print(f"the desktop keyring keeps the password for {login.key}")
    return 0


def forget_password(args: argparse.Namespace) -> int:
    from briefing.store import team_login

    login, forgotten = team_login.forget(_address(args))
    if forgotten:
        print(f"the desktop keyring no longer keeps a password for {login.key}")
    else:
        print(f"the desktop keyring kept no password for {login.key}; nothing changed")
    return 0
