#!/usr/bin/env bash
# Fuzz the API with schemathesis against a fresh demo database, as the demo operator:
# no answer may be a server error (5xx) or a status the OpenAPI schema does not declare.
# Usage: scripts/api_check.sh [extra schemathesis options]   (`make api-check`)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${BIN:-.venv/bin}")
MAX_EXAMPLES=${MAX_EXAMPLES:-30}

DANGJIAN_VAR_DIR=$(mktemp -d)
export DANGJIAN_VAR_DIR
PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SERVER_PID=""

cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$DANGJIAN_VAR_DIR"
}
trap cleanup EXIT

echo "api-check: database in $DANGJIAN_VAR_DIR, server on port $PORT"
"$BIN/python" manage.py migrate --noinput >/dev/null
"$BIN/python" manage.py load_demo >/dev/null
TOKEN=$("$BIN/python" manage.py create_api_token operator schemathesis)

"$BIN/python" manage.py runserver --noreload "127.0.0.1:$PORT" >"$DANGJIAN_VAR_DIR/server.log" 2>&1 &
SERVER_PID=$!

# Run from the temporary directory: schemathesis keeps a cache in ./.schemathesis/.
status=0
(cd "$DANGJIAN_VAR_DIR" && "$BIN/schemathesis" run "http://127.0.0.1:$PORT/api/openapi.json" \
    --wait-for-schema 30 \
    -H "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --no-color \
    "$@") || status=$?
if [ "$status" -ne 0 ]; then
    echo "api-check failed; the server's log:" >&2
    grep -E "Error|Traceback|\" 5[0-9][0-9] " "$DANGJIAN_VAR_DIR/server.log" | tail -40 >&2 || true
fi
exit "$status"
