"""Background upkeep: one job per conversation at a time, later requests folded into one
rerun, a failing job never wedges the conversation."""

from __future__ import annotations

from collections.abc import Callable

from assistant.upkeep import Upkeep


def test_requests_while_running_become_one_rerun() -> None:
    queued: list[Callable[[], None]] = []
    upkeep = Upkeep(queued.append)
    ran: list[str] = []
    assert upkeep.request("tk-1", lambda: ran.append("job"), lambda: ran.append("rerun"))
    for _ in range(5):  # five more turns while the slow fold is still waiting to run
        assert not upkeep.request("tk-1", lambda: ran.append("job"), lambda: ran.append("rerun"))
    assert upkeep.request("tk-2", lambda: ran.append("other"), lambda: None)
    assert len(queued) == 2 and upkeep.busy("tk-1")
    queued[0]()
    assert ran == ["job", "rerun"] and not upkeep.busy("tk-1")
    assert upkeep.request("tk-1", lambda: ran.append("next"), lambda: None)  # free again


def test_a_failing_job_does_not_wedge_the_conversation() -> None:
    upkeep = Upkeep(lambda job: job())  # run at once

    def boom() -> None:
        raise TimeoutError("model timed out")

    assert upkeep.request("tk-1", boom, boom)
    assert not upkeep.busy("tk-1")
    ran: list[int] = []
    assert upkeep.request("tk-1", lambda: ran.append(1), lambda: None) and ran == [1]
