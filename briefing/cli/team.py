"""`team setup`, `team add-member ROLE`, `team remove-member ROLE`, `team members`: a shared
store on PostgreSQL (see `briefing.store.team`), run by the database's owner.

    briefing --db postgresql://OWNER@HOST/DB team setup [--no-demo]
    briefing --db postgresql://OWNER@HOST/DB team add-member alice
"""

from __future__ import annotations

import argparse

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
    report = team.setup(_address(args), seed)
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

    now = team.add_member(_address(args), args.role)
    print(f"{args.role} is a member; members: {', '.join(now)}")
    return 0


def remove_member(args: argparse.Namespace) -> int:
    from briefing.store import team

    now = team.remove_member(_address(args), args.role)
    print(f"{args.role} is no longer a member; members: {', '.join(now) or 'none'}")
    return 0


def members(args: argparse.Namespace) -> int:
    from briefing.store import team

    found = team.members(_address(args))
    if getattr(args, "json", False):
        print_json(found)
    else:
        for role in found:
            print(role)
    return 0
