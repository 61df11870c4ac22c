"""``caseaudit users list|add``: program users and their roles."""

from __future__ import annotations

import argparse
import getpass

from ..cli import signed_in
from ..services.accounts import add_user, users_for
from ..vocabulary import UserRole


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("users", help="list or add program users")
    actions = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    actions.add_parser(
        "list", help="list users and roles (administrators: needs --user)"
    ).set_defaults(handler=cmd_list)
    add = actions.add_parser(
        "add", help="add a user (administrators; asks for the new user's password)"
    )
    add.add_argument("username")
    add.add_argument("--name", default="", help="display name")
    add.add_argument(
        "--role", required=True, choices=[r.value for r in UserRole], help="what the user may do"
    )
    add.set_defaults(handler=cmd_add)


def cmd_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        for user in users_for(db, actor):
            print(f"{user.username:<20} {user.role.label:<20} {user.display_name}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        password = getpass.getpass(f"Password for the new user {args.username}: ")
        user = add_user(db, actor, args.username, args.name, UserRole(args.role), password)
        print(f"Added {user.username} ({user.role.label}).")
    return 0
