"""Background upkeep: one job per conversation at a time, only the newest waiting request
runs after it, a failing job never wedges the conversation."""

from __future__ import annotations

from collections.abc import Callable

from assistant.upkeep import Upkeep


def test_requests_while_running_leave_only_the_newest_waiting() -> None:
    queued: list[Callable[[], None]] = []
    upkeep = Upkeep(queued.append)
    ran: list[str] = []
    assert upkeep.request("tk-1", lambda: ran.append("job 0"))

    def job(n: int) -> Callable[[], None]:
        return lambda: ran.append(f"job {n}")

    for n in range(1, 6):  # five more turns while the slow fold is still waiting to run
        assert not upkeep.request("tk-1", job(n))
    assert upkeep.request("tk-2", lambda: ran.append("other"))
    assert len(queued) == 2 and upkeep.busy("tk-1")
    queued[0]()
    assert ran == ["job 0", "job 5"] and not upkeep.busy("tk-1")
    assert upkeep.request("tk-1", lambda: ran.append("next"))  # free again


def test_a_failing_job_does_not_wedge_the_conversation() -> None:
    upkeep = Upkeep(lambda job: job())  # run at once

    def boom() -> None:
        raise TimeoutError("model timed out")

    assert upkeep.request("tk-1", boom)
    assert not upkeep.busy("tk-1")
    ran: list[int] = []
    assert upkeep.request("tk-1", lambda: ran.append(1)) and ran == [1]
