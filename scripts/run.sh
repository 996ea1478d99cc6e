#!/usr/bin/env bash
# Set up and run the app on its embedded defaults: SQLite in ./data, the local model on
# loopback, demo data seeded. Open http://127.0.0.1:8501
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --app
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
exec .venv/bin/streamlit run app.py \
  --server.address "${STREAMLIT_ADDRESS:-127.0.0.1}" \
  --server.port "${STREAMLIT_PORT:-8501}" \
  --server.headless true \
  --browser.gatherUsageStats false "$@"
