#!/usr/bin/env bash
# The README's first command: install fsjobstore, then run the example Toil workflow
# (examples/fanout.py) on an fsspec job store in .demo/.  Needs no cloud account.
#
#   bash scripts/demo.sh
#
# DEMO_VENV=/path/to/venv uses an existing virtualenv instead of bootstrapping .venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -n "${DEMO_VENV:-}" ]; then
    VENV=$DEMO_VENV
else
    VENV=.venv
    bash scripts/bootstrap.sh  # idempotent: creates .venv and installs everything
fi
# Toil starts workers by name (_toil_worker), so the venv's bin dir goes first.
export PATH="$VENV/bin:$PATH"
export TOIL_SKIP_ONLINE=true

# The locator travels through a shell to every worker: it cannot hold spaces.
STORE="fsspec:file://$PWD/.demo/jobstore"
mkdir -p .demo
rm -f .demo/result.txt
"$VENV/bin/toil" clean "$STORE"
"$VENV/bin/python" examples/fanout.py --jobStore "$STORE" \
    --batchSystem single_machine --maxCores 2 --logLevel WARNING \
    "file://$PWD/examples/input.txt" "file://$PWD/.demo/result.txt"
echo "The result is in $PWD/.demo/result.txt:"
head -n 3 .demo/result.txt
echo "..."
tail -n 1 .demo/result.txt
