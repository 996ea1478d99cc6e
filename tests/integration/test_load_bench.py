"""The load test (bench/load) runs end to end for a few seconds: two app processes on the
tests' Firestore emulator behind the sticky proxy, Locust driving the real app over its
websocket, and the store checked afterwards. CI keeps it working."""

from __future__ import annotations

import pytest

from bench.load.__main__ import main
from tests.support.emulator import Emulator

pytestmark = pytest.mark.firestore


def test_a_short_load_run_passes_and_prints_its_figures(
    firestore_emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--customers", "2", "--agents", "1", "--seconds", "6"]
    code = main(argv, emulator=firestore_emulator)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "sessions per replica: 2 / 1" in out  # round robin: each replica got sessions
    assert "turns per second" in out
    turns = next(line for line in out.splitlines() if line.startswith("turn: assistant replies"))
    assert int(turns.split()[3]) > 0, out  # customers' turns were answered and timed
    for figure in ("errors", "lost", "duplicated"):
        line = next(line for line in out.splitlines() if line.startswith(figure + " "))
        assert line.split()[1] == "0.000" and line.endswith("met"), out
