"""Operator commands: ``python -m ops COMMAND``.

grant-agent UID [--name NAME] [--email EMAIL]    give a user the agent role
revoke-agent UID                                 take it back (effective on their next request)
grant-supervisor UID [--name NAME] [--email E]   an agent who also sees reports and the audit log
revoke-supervisor UID                            back to agent
users                                            list users and roles
seed [--long N]                                  demo data (idempotent)
show TICKET [--limit N]                          the newest messages, internal notes included
usage [--user UID] [--ticket TICKET] [--period P]  token usage
export TICKET [--format json|md|html|csv] [--public-only] [-o FILE]
rotate-keys                                      re-encrypt under the newest key
sweep [--backfill]                               erase tickets past their retention (expireAt)
erase-user UID --yes                             erase everything about a customer
export-user UID -o FILE.zip [--public-only]      a customer's data as one archive (access request)
audit [--kind K] [--actor UID] [--ticket T] [--limit N] [--format csv|json]
import-articles DIR [--prune]                    import help articles (Markdown + front matter)
articles                                         list the knowledge base

Every command builds its services through the same composition root as the app.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from common.errors import AppError
from config.bootstrap import Services, build_services
from config.settings import load_settings
from demo.history import seed_history
from demo.seed import seed_demo
from knowledge.importer import import_folder
from ops import privacy_commands, roles
from tickets.audit import OPERATOR, Kind
from tickets.domain import Role, User
from tickets.ids import validate_id
from tickets.text import safe_line

OPERATOR_USER = User("operator", Role.SUPERVISOR, "Operator (CLI)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ops", description="Ticket Assistant operator")
    sub = p.add_subparsers(dest="command", required=True)
    for role in ("agent", "supervisor"):
        grant = sub.add_parser(f"grant-{role}", help=f"give a user the {role} role")
        grant.add_argument("uid")
        grant.add_argument("--name", default="")
        grant.add_argument("--email", default="")
        sub.add_parser(f"revoke-{role}", help=f"take the {role} role away").add_argument("uid")
    sub.add_parser("users", help="list users")
    seed = sub.add_parser("seed", help="load demo data")
    seed.add_argument("--long", type=int, default=300, help="messages in the long ticket")
    seed.add_argument(
        "--no-history", action="store_true", help="skip the past tickets the reports show"
    )
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
    sweep = sub.add_parser("sweep", help="erase tickets whose retention has passed")
    sweep.add_argument(
        "--backfill", action="store_true", help="first give resolved tickets their expiry"
    )
    erase = sub.add_parser("erase-user", help="erase everything about a customer")
    erase.add_argument("uid")
    erase.add_argument("--yes", action="store_true", help="really erase (it cannot be undone)")
    sar = sub.add_parser("export-user", help="a customer's data as one ZIP archive")
    sar.add_argument("uid")
    sar.add_argument("-o", "--output", required=True, help="the .zip file to write")
    sar.add_argument("--public-only", action="store_true", help="leave internal notes out")
    audit = sub.add_parser("audit", help="print the audit log (newest first)")
    audit.add_argument("--kind")
    audit.add_argument("--actor")
    audit.add_argument("--ticket")
    audit.add_argument("--limit", type=int, default=100)
    audit.add_argument("--format", choices=["csv", "json"], default="csv")
    imp = sub.add_parser("import-articles", help="import help articles from a folder")
    imp.add_argument("folder", help="a folder of .md files with YAML front matter")
    imp.add_argument(
        "--prune", action="store_true", help="delete articles whose file is no longer there"
    )
    sub.add_parser("articles", help="list the knowledge base")
    return p


def run(argv: Sequence[str], services: Services, out: TextIO) -> int:
    args = _parser().parse_args(argv)
    store = services.store
    verb, _, role_name = args.command.partition("-")
    if verb in ("grant", "revoke") and role_name in ("agent", "supervisor"):
        role = Role(role_name)
        if verb == "grant":
            return roles.grant(services, args.uid, role, out, name=args.name, email=args.email)
        return roles.revoke(services, args.uid, role, out)
    if args.command == "users":
        for user in store.users.find(limit=1000):
            state = "\tdisabled" if user.disabled else ""
            print(
                f"{user.uid}\t{user.role.value}\t{safe_line(user.display_name)}\t"
                f"{safe_line(user.email)}{state}",
                file=out,
            )
    elif args.command == "seed":
        result = seed_demo(store, args.long)
        verb = "Seeded" if result.created else "Already seeded:"
        print(f"{verb} {result.tickets} tickets, {result.messages} messages.", file=out)
        if not args.no_history:
            past = seed_history(store)
            print(f"Seeded {past} past tickets for the reports." if past else "", file=out)
    elif args.command == "show":
        _show(services, args, out)
    elif args.command == "usage":
        _usage(services, args, out)
    elif args.command == "rotate-keys":
        from ops.rotation import rotate

        report = rotate(store)
        services.tickets.audit.record(
            Kind.KEYS_ROTATED,
            OPERATOR,
            tickets=report.tickets,
            messages=report.messages,
            users=report.users,
        )
        print(
            f"Re-encrypted {report.tickets} tickets, {report.messages} messages, "
            f"{report.checkpoints} memory checkpoints and {report.users} users under the "
            "current key.",
            file=out,
        )
    elif args.command in ("sweep", "erase-user", "export-user", "audit"):
        return privacy_commands.run(services, args, out)
    elif args.command == "import-articles":
        imported = import_folder(
            store.articles, Path(args.folder), embedder=services.embedder, prune=args.prune
        )
        for line in imported.lines():
            print(safe_line(line), file=out)
        services.tickets.audit.record(
            Kind.ARTICLES_IMPORTED,
            OPERATOR,
            added=len(imported.added),
            updated=len(imported.updated),
            removed=imported.removed,
            errors=len(imported.errors),
        )
        return 1 if imported.errors else 0
    elif args.command == "articles":
        for article in store.articles.find(public_only=False):
            tags = ",".join(article.tags)
            print(
                f"{article.id}\t{article.visibility.value}\t{article.updated:%Y-%m-%d}\t"
                f"{safe_line(article.title)}\t{tags}",
                file=out,
            )
    elif args.command == "export":
        chunks = services.tickets.export_as(
            OPERATOR_USER,
            args.ticket,
            args.format,
            include_internal=not args.public_only,
            actor=OPERATOR,
        )
        if args.output:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.writelines(chunks)
        else:
            out.writelines(chunks)
    return 0


def _show(services: Services, args: argparse.Namespace, out: TextIO) -> None:
    access = services.tickets.access(OPERATOR_USER, args.ticket)
    ticket = access.ticket
    print(f"{ticket.id}  {safe_line(ticket.subject)}  [{ticket.status.label}]", file=out)
    print(f"customer={ticket.customer_uid} assignee={ticket.assignee_uid or '-'}", file=out)
    checkpoint = services.store.checkpoints.get(access.conv)
    covered = checkpoint.covered_seq if checkpoint else 0
    print(f"messages={ticket.last_seq} summarized through #{covered}", file=out)
    for m in services.tickets.thread(access, limit=args.limit).messages:
        note = " (internal)" if m.is_internal else ""
        text = safe_line(m.text)
        print(f"#{m.seq} {m.author_role.value}{note} [{m.status.value}]: {text}", file=out)


def _usage(services: Services, args: argparse.Namespace, out: TextIO) -> None:
    budget = services.budget
    period = args.period or budget.period()
    keys = []
    if args.user:
        keys.append(budget.user_key(validate_id(args.user, "user"), period))
    if args.ticket:
        keys.append(budget.ticket_key(validate_id(args.ticket), period))
    if not keys:
        print("Give --user UID and/or --ticket TICKET.", file=out)
        return
    for key in keys:
        u = services.store.usage.get(key)
        print(
            f"{key}: {u.total_tokens} tokens ({u.prompt_tokens} prompt, "
            f"{u.completion_tokens} completion) in {u.calls} calls",
            file=out,
        )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        services = build_services(load_settings())
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    try:
        return run(sys.argv[1:] if argv is None else argv, services, sys.stdout)
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    finally:
        services.close()
        services.store.close()
