"""Retention, erasure, subject-access exports and the audit log from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from config.bootstrap import Services
from tickets.audit import to_csv, to_json_line
from tickets.store import AuditQuery
from tickets.subject_access import SubjectAccess


def run(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    tickets = services.tickets
    if args.command == "sweep":
        if args.backfill:
            print(f"Gave {tickets.retention.backfill()} resolved tickets an expiry.", file=out)
        report = tickets.retention.sweep()
        print(f"Erased {report.tickets} expired tickets ({report.total} documents).", file=out)
        return 0
    if args.command == "erase-user":
        if not args.yes:
            print("This erases everything about the customer. Add --yes to do it.", file=out)
            return 1
        report = tickets.erasure.erase_user(args.uid)
        print(
            f"Erased {report.tickets} tickets and {report.total} documents; the audit log's "
            f"entries about the customer are unreadable now. Audit entry: {report.audit_id}",
            file=out,
        )
        for name, n in report.documents.items():
            print(f"  {name}: {n}", file=out)
        return 0
    if args.command == "export-user":
        access = SubjectAccess(
            services.store, tickets.audit, services.settings.product_name, tickets.clock
        )
        done = access.export_user(args.uid, Path(args.output), public_only=args.public_only)
        print(f"Wrote {done.path}: {done.tickets} tickets. Audit entry: {done.audit_id}", file=out)
        return 0
    query = AuditQuery(
        kind=args.kind, actor_uid=args.actor, ticket_id=args.ticket, limit=args.limit
    )
    events = services.store.audit.find(query=query)
    if args.format == "csv":
        out.write(to_csv(events))
    else:
        out.writelines(to_json_line(e) for e in events)
    return 0
