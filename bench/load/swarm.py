"""The Locust side of the load test, in its own process (Locust patches the standard library
with gevent): run the simulated customers and agents against one URL for a bounded time,
then write what they did to a ledger file.

    python -m bench.load.swarm --url http://127.0.0.1:8600 --customers 4 --agents 1 \
        --seconds 60 --ledger ledger.json
"""

from __future__ import annotations

import argparse
from pathlib import Path

import gevent
from locust.env import Environment  # first: Locust patches the standard library (gevent)

from bench.load import users


def run(url: str, customers: int, agents: int, seconds: float) -> None:
    users.Customer.fixed_count, users.Agent.fixed_count = customers, agents
    users.AppUser.host = url
    env = Environment(user_classes=[users.Customer, users.Agent], stop_timeout=30)
    env.events.user_error.add_listener(users.unrecorded_error)  # type: ignore[no-untyped-call]
    runner = env.create_local_runner()
    runner.start(customers + agents, spawn_rate=customers + agents)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--agents", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--ledger", type=Path, required=True)
    args = parser.parse_args()
    run(args.url, args.customers, args.agents, args.seconds)
    users.LEDGER.save(args.ledger)


if __name__ == "__main__":
    main()
