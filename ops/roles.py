"""Role commands: grant and revoke the agent and supervisor roles, each audited.

A supervisor is an agent who also sees the reports and the audit log. Revoking a supervisor
leaves an agent; revoking an agent leaves a customer. Effective on the user's next request.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TextIO

from config.bootstrap import Services
from tickets.audit import OPERATOR, Kind
from tickets.domain import Role, User
from tickets.ids import validate_id
from tickets.text import clean_email, clean_name

REVOKED_TO = {Role.AGENT: Role.CUSTOMER, Role.SUPERVISOR: Role.AGENT}


def grant(
    services: Services, uid: str, role: Role, out: TextIO, *, name: str = "", email: str = ""
) -> int:
    uid = validate_id(uid, "user")
    found = services.store.users.get(uid)
    name = clean_name(name) or (found.display_name if found else uid)
    email = clean_email(email) or (found.email if found else "")
    disabled = found.disabled if found else False
    before = found.role if found else None
    services.store.users.save(User(uid, role, name, email, disabled))
    if before is not role:
        services.tickets.audit.record(
            Kind.ROLE_GRANTED,
            OPERATOR,
            subject_uid=uid if before in (None, Role.CUSTOMER) else None,
            uid=uid,
            role=role.value,
            before=before.value if before else None,
        )
    print(f"{uid} is now {_article(role)}.", file=out)
    if disabled:
        print(
            f"Note: {uid} is disabled and stays disabled; they cannot sign in until an "
            "operator enables the account.",
            file=out,
        )
    return 0


def revoke(services: Services, uid: str, role: Role, out: TextIO) -> int:
    uid = validate_id(uid, "user")
    found = services.store.users.get(uid)
    if found is None:
        print(f"No user {uid}.", file=out)
        return 1
    if found.role is not role and not (role is Role.AGENT and found.role is Role.SUPERVISOR):
        print(
            f"{uid} is not {'a supervisor' if role is Role.SUPERVISOR else 'an agent'}.", file=out
        )
        return 1
    after = REVOKED_TO[role]
    services.store.users.save(replace(found, role=after))
    services.tickets.audit.record(
        Kind.ROLE_REVOKED,
        OPERATOR,
        subject_uid=uid if after is Role.CUSTOMER else None,
        uid=uid,
        role=found.role.value,
        after=after.value,
    )
    print(f"{uid} is now {after.value} (effective on their next request).", file=out)
    return 0


def _article(role: Role) -> str:
    return "a supervisor" if role is Role.SUPERVISOR else "an agent"
