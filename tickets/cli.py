"""Operator commands: ``python -m tickets COMMAND``.

grant-agent UID [--name NAME] [--email EMAIL]    give a user the agent role
revoke-agent UID                                 take it back (effective on their next request)
users                                            list users and roles
seed [--long N]                                  demo data (idempotent)
show TICKET [--limit N]                          the newest messages, internal notes included
usage [--user UID] [--ticket TICKET] [--period P]  token usage
export TICKET [--format json|md|html] [--public-only] [-o FILE]
rotate-keys                                      re-encrypt under the newest key
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from config.bootstrap import build_store
from config.settings import load_settings
from tickets.domain import ConversationRef, Role, User
from tickets.errors import TicketError
from tickets.ids import validate_id
from tickets.seed import seed_demo
from tickets.service import TicketService
from tickets.store import TicketStore

OPERATOR = User("operator", Role.AGENT, "Operator (CLI)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tickets", description="Ticket Assistant operator")
    sub = p.add_subparsers(dest="command", required=True)
    grant = sub.add_parser("grant-agent", help="give a user the agent role")
    grant.add_argument("uid")
    grant.add_argument("--name", default="")
    grant.add_argument("--email", default="")
    sub.add_parser("revoke-agent", help="take the agent role away").add_argument("uid")
    sub.add_parser("users", help="list users")
    seed = sub.add_parser("seed", help="load demo data")
    seed.add_argument("--long", type=int, default=300, help="messages in the long ticket")
    show = sub.add_parser("show", help="show a ticket")
    show.add_argument("ticket")
    show.add_argument("--limit", type=int, default=20)
    usage = sub.add_parser("usage", help="token usage")
    usage.add_argument("--user")
    usage.add_argument("--ticket")
    usage.add_argument("--period", help="YYYY-MM, YYYY-MM-DD or 'all' (default: current)")
    exp = sub.add_parser("export", help="export a transcript")
    exp.add_argument("ticket")
    exp.add_argument("--format", choices=["json", "md", "html", "csv"], default="json")
    exp.add_argument("--public-only", action="store_true")
    exp.add_argument("-o", "--output", help="file to write (default: standard output)")
    sub.add_parser("rotate-keys", help="re-encrypt everything under the newest key")
    return p


def run(argv: Sequence[str], store: TicketStore, out: TextIO) -> int:
    args = _parser().parse_args(argv)
    service = TicketService(store)
    if args.command == "grant-agent":
        uid = validate_id(args.uid, "user")
        found = store.get_user(uid)
        name = args.name or (found.display_name if found else uid)
        email = args.email or (found.email if found else "")
        store.save_user(User(uid, Role.AGENT, name, email))
        print(f"{uid} is now an agent.", file=out)
    elif args.command == "revoke-agent":
        uid = validate_id(args.uid, "user")
        found = store.get_user(uid)
        if found is None:
            print(f"No user {uid}.", file=out)
            return 1
        store.save_user(User(uid, Role.CUSTOMER, found.display_name, found.email, found.disabled))
        print(f"{uid} is no longer an agent (effective on their next request).", file=out)
    elif args.command == "users":
        for user in store.list_users(limit=1000):
            print(f"{user.uid}\t{user.role.value}\t{user.display_name}\t{user.email}", file=out)
    elif args.command == "seed":
        result = seed_demo(store, args.long)
        verb = "Seeded" if result.created else "Already seeded:"
        print(f"{verb} {result.tickets} tickets, {result.messages} messages.", file=out)
    elif args.command == "show":
        ticket = service.ticket(OPERATOR, args.ticket)
        print(f"{ticket.id}  {ticket.subject}  [{ticket.status.label}]", file=out)
        print(f"customer={ticket.customer_uid} assignee={ticket.assignee_uid or '-'}", file=out)
        state = store.conversation_state(ConversationRef(ticket.id))
        print(f"messages={state.last_seq} summarized through #{state.covered_seq}", file=out)
        for m in service.thread(OPERATOR, ticket.id, limit=args.limit).messages:
            note = " (internal)" if m.is_internal else ""
            print(f"#{m.seq} {m.author_role.value}{note} [{m.status.value}]: {m.text}", file=out)
    elif args.command == "usage":
        _usage(store, args, out)
    elif args.command == "rotate-keys":
        from privacy.rotation import rotate

        report = rotate(store)
        print(
            f"Re-encrypted {report.messages} messages and {report.checkpoints} memory "
            f"checkpoints in {report.tickets} tickets under the current key.",
            file=out,
        )
    elif args.command == "export":
        chunks = service.export(
            OPERATOR, args.ticket, args.format, include_internal=not args.public_only
        )
        if args.output:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.writelines(chunks)
        else:
            out.writelines(chunks)
    return 0


def _usage(store: TicketStore, args: argparse.Namespace, out: TextIO) -> None:
    from assistant.budget import BudgetGuard

    settings = load_settings()
    period = args.period or BudgetGuard(store, settings.budget).period()
    keys = []
    if args.user:
        keys.append(BudgetGuard.user_key(validate_id(args.user, "user"), period))
    if args.ticket:
        keys.append(BudgetGuard.ticket_key(validate_id(args.ticket), period))
    if not keys:
        print("Give --user UID and/or --ticket TICKET.", file=out)
        return
    for key in keys:
        u = store.get_usage(key)
        print(
            f"{key}: {u.total_tokens} tokens ({u.prompt_tokens} prompt, "
            f"{u.completion_tokens} completion) in {u.calls} calls",
            file=out,
        )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        store = build_store(load_settings())
        return run(sys.argv[1:] if argv is None else argv, store, sys.stdout)
    except TicketError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
