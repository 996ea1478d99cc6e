#!/usr/bin/env bash
# Set up and run the whole suite: lint, types, unit, contract (Firestore emulator), model,
# app and browser tests. Fails, never skips, when a required service can't start.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev

# Debian's chromium for the browser tests (never `playwright install`: it downloads a build).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing chromium from Debian"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test: chromium is missing; install Debian's 'chromium' package (needs root)." >&2
    exit 1
  fi
fi

# The official Cloud Firestore emulator is required: print its version, fail loudly if absent.
emulator_version="$(dpkg-query -W -f='${Version}' google-cloud-cli-firestore-emulator 2>/dev/null || true)"
if [ -z "$emulator_version" ] && [ -z "${FIRESTORE_EMULATOR_JAR:-}" ]; then
  echo "test: the Cloud Firestore emulator (google-cloud-cli-firestore-emulator) is not installed." >&2
  exit 1
fi
echo "test: Cloud Firestore emulator ${emulator_version:-from $FIRESTORE_EMULATOR_JAR}; $(java -version 2>&1 | head -1)"

export OMP_WAIT_POLICY=PASSIVE
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy .
.venv/bin/lint-imports --no-cache  # the layering contracts in pyproject.toml
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" = "5" ]; then
  echo "test: pytest collected no tests; that is a failure here." >&2
  exit 1
fi
exit "$status"
