"""The test users, defined once."""

from __future__ import annotations

from tickets.domain import Role, User

ADA = User("cust-ada", Role.CUSTOMER, "Ada Lovelace", "ada@example.com")
BOB = User("cust-bob", Role.CUSTOMER, "Bob Marley", "bob@example.com")
KIM = User("agent-kim", Role.AGENT, "Kim Park", "kim@support.example.com")
LEE = User("agent-lee", Role.AGENT, "Lee Chen", "lee@support.example.com")
EVERYONE = (ADA, BOB, KIM, LEE)
