"""`frigate-privacy users add | list | revoke`: API users, their roles, cameras and tokens."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.actor import operator_actor
from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.config import load_config
from frigate_privacy.config.api import ApiRole
from frigate_privacy.service.api.users import UserStore, users_db_path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `users` command."""
    p = sub.add_parser("users", help="API users: add (prints a token once), list, revoke")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    add = actions.add_parser("add", help="create a user and print their token (shown only this once)")
    add.add_argument("name", help="user name (letters, digits, _ . @ -)")
    add.add_argument("--role", required=True, choices=[r.value for r in ApiRole], help="what the user may do")
    add.add_argument("--cameras", help="comma-separated cameras the user may see (default: all)")
    listing = actions.add_parser("list", help="list users (never their tokens)")
    revoke = actions.add_parser("revoke", help="revoke a user's token at once")
    revoke.add_argument("name")
    for q in (add, listing, revoke):
        q.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    add.set_defaults(func=_add)
    listing.set_defaults(func=_list)
    revoke.set_defaults(func=_revoke)


def _audit(args: argparse.Namespace, target: str, reason: str) -> None:
    with open_audit_log(load_config(args.config)) as log:
        log.record(
            actor=operator_actor(),
            role="admin",
            action=AuditAction.role_change.value,
            target=target,
            reason=reason,
            result=AuditResult.success.value,
        )


def _add(args: argparse.Namespace) -> int:
    cameras = [c.strip() for c in args.cameras.split(",") if c.strip()] if args.cameras else None
    with UserStore(users_db_path(load_config(args.config))) as store:
        user, token = store.add(args.name, ApiRole(args.role), cameras)
    _audit(args, f"api user {user.name}", f"created with role {user.role.value}")
    where = ", ".join(sorted(user.cameras)) if user.cameras else "all cameras"
    print(f"user {user.name}: role {user.role.value}, {where}")
    print(f"token (shown only this once; send it as 'Authorization: Bearer <token>'): {token}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with UserStore(users_db_path(load_config(args.config))) as store:
        users = store.list()
    if not users:
        print("no users; add one with `frigate-privacy users add NAME --role viewer`")
    for u in users:
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(u.created))
        cams = ",".join(sorted(u.cameras)) if u.cameras else "all"
        state = "active" if u.active else "revoked " + time.strftime("%Y-%m-%d %H:%M", time.localtime(u.revoked or 0))
        print(f"{u.name:20} {u.role.value:9} cameras={cams:20} created {created}  {state}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    with UserStore(users_db_path(load_config(args.config))) as store:
        user = store.revoke(args.name)
    _audit(args, f"api user {user.name}", "token revoked")
    print(f"user {user.name}: token revoked")
    return 0
