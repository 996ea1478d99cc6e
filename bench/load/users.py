"""Locust users that drive the real app through its websocket protocol (see protocol.py):
customers sign in, open a ticket and chat with the assistant; agents sign in, open a
customer's ticket by its link and reply. Every action's script-run time is reported to
Locust and kept here exactly (Locust rounds its own percentiles)."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable

from locust import User, between, task
from websocket import WebSocketException

from bench.load.ledger import AGENTS, CUSTOMERS, Ledger, name_of
from bench.load.protocol import ProtocolError, Run, Session

ASSISTANT_TURN = "turn: assistant replies"  # the customer's message, the reply streamed
AGENT_TURN = "turn: on an agent's ticket"  # an agent has answered: the assistant stays out
LEDGER = Ledger()


class RecordedError(RuntimeError):
    """An action that failed and is already in the ledger (Locust stops the task)."""


def unrecorded_error(user_instance: object, exception: Exception, tb: object) -> None:
    """Any other failure in a simulated person's task is an error too."""
    if not isinstance(exception, RecordedError):
        LEDGER.errors.append(f"{type(exception).__name__}: {exception}"[:300])


FOR_AGENTS: list[str] = []  # the tickets agents answer: every second customer's
_customers = itertools.count()
_agents = itertools.count()
_tokens = itertools.count(1)


def token(kind: str) -> str:
    return f"{kind}-{next(_tokens):05d}"


class AppUser(User):
    abstract = True
    host = ""  # the load balancer's URL, set by the runner

    def _timed(self, name: str, action: Callable[[], Run]) -> Run:
        started = time.perf_counter()
        error: Exception | None = None
        result: Run | None = None
        try:
            result = action()
            if result.errors:  # the app said something failed (e.g. "send it again")
                raise ProtocolError("the page showed: " + " | ".join(result.errors))
        except (ProtocolError, OSError, ValueError, WebSocketException) as exc:
            error = exc
            LEDGER.errors.append(f"{name}: {type(exc).__name__}: {exc}"[:300])
        ok = result is not None and error is None
        elapsed = result.seconds if ok and result else time.perf_counter() - started
        if error is None:
            LEDGER.timings[name].append(elapsed)
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=elapsed * 1000,
            response_length=0,
            exception=error,
            context={},
        )
        if error is not None or result is None:
            raise RecordedError(name) from error
        return result

    def sign_in(self, uid: str, role: str) -> None:
        self.session = Session(self.host)
        self.session.open()
        page = self.session.rerun()
        self.session.set_value(page.widget("selectbox", "Sign in as"), f"{name_of(uid)} · {role}")
        self.page = self._timed(
            "sign in",
            lambda: self.session.rerun(self.session.click(page.widget("button", "Continue"))),
        )

    def on_stop(self) -> None:
        session = getattr(self, "session", None)
        if session is not None:
            session.close()


class Customer(AppUser):
    wait_time = between(0.5, 1.5)
    fixed_count = 4

    def on_start(self) -> None:
        n = next(_customers)
        self.uid = CUSTOMERS[n % len(CUSTOMERS)]
        self.ticket = ""
        self.sign_in(self.uid, "customer")
        form = self._timed(
            "new ticket form",
            lambda: self.session.rerun(
                self.session.click(self.page.widget("button", "+ New ticket"))
            ),
        )
        first = token("open")
        self.session.set_value(form.widget("text_input", "Subject"), f"Load test {self.uid}")
        self.session.set_value(form.widget("text_area", "Message"), f"My kettle leaks ({first})")
        opened = self._timed(
            "open ticket",
            lambda: self.session.rerun(self.session.click(form.widget("button", "Open ticket"))),
        )
        self.ticket = (opened.query_string or "").removeprefix("ticket=")
        if not self.ticket.startswith("tk-"):
            raise ProtocolError(f"no ticket id after opening: {opened.query_string!r}")
        with LEDGER.lock:
            LEDGER.tickets[self.ticket] = self.uid
            LEDGER.sent[self.ticket].append(first)
            LEDGER.confirmed.append(first)
            if n % 2:
                FOR_AGENTS.append(self.ticket)
        self.page = opened

    @task
    def chat(self) -> None:
        text = token("turn")
        box = self.page.widget("chat_input", "Write a message")
        with LEDGER.lock:
            LEDGER.sent[self.ticket].append(text)  # before sending: a lost one is noticed
            kind = AGENT_TURN if self.ticket in LEDGER.agent_replies else ASSISTANT_TURN
        self.page = self._timed(
            kind,
            lambda: self.session.rerun(self.session.chat(box, f"Still leaking {text}")),
        )
        LEDGER.confirmed.append(text)


class Agent(AppUser):
    wait_time = between(2.0, 4.0)
    fixed_count = 1

    def on_start(self) -> None:
        self.uid = AGENTS[next(_agents) % len(AGENTS)]
        self.sign_in(self.uid, "agent")

    @task
    def reply(self) -> None:
        with LEDGER.lock:
            tickets = list(FOR_AGENTS)
        if not tickets:
            return
        ticket = random.choice(tickets)
        self.session.query_string = f"ticket={ticket}"
        page = self._timed("agent opens a ticket", lambda: self.session.rerun())
        text = token("agent")
        self.session.set_value(page.widget("text_area", "Your reply"), f"We are on it {text}")
        with LEDGER.lock:
            LEDGER.agent_replies[ticket].append(text)
        sent = self._timed(
            "agent reply",
            lambda: self.session.rerun(self.session.click(page.widget("button", "Send"))),
        )
        confirm = [w for w in sent.widgets if w.kind == "button" and w.label == "Send anyway"]
        if confirm:  # another agent answered meanwhile: the app asks first, as it should
            self._timed("agent reply", lambda: self.session.rerun(self.session.click(confirm[0])))
        LEDGER.confirmed.append(text)
        self.session.states.clear()  # the reply box is empty again after sending
