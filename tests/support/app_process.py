"""How the test stacks and the benchmarks start the app: ``streamlit run app.py`` as
``scripts/run.sh`` does, headless, on one address and port."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def streamlit_command(address: str, port: int, *options: str) -> list[str]:
    """The command line; ``options`` are more ``--section.key=value`` flags."""
    return [
        str(Path(sys.executable).parent / "streamlit"),
        "run",
        str(ROOT / "app.py"),
        f"--server.address={address}",
        f"--server.port={port}",
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
        *options,
    ]
