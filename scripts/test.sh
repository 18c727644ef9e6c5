#!/usr/bin/env bash
# Bootstrap, lint, type-check and run the test-suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PYTHONUNBUFFERED=1
export CI="${CI:-}"

bash scripts/bootstrap.sh

echo "== ruff"
.venv/bin/ruff check fsjobstore toil_url_access_fsspec tests benchmarks
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
rc=0
.venv/bin/python -m pytest -n 2 -p xdist "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "test.sh: pytest collected no tests; treating that as a failure" >&2
    exit 1
fi
exit "$rc"
