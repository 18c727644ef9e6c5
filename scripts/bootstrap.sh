#!/usr/bin/env bash
# Idempotent setup of everything the test-suite needs, for a fresh Debian 12 machine (as root)
# with python3 (3.11) and node 20 + npm. Safe to re-run: each step is skipped when done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv

now() { date +%s%N; }
step() {  # step NAME CMD...: run CMD, print how long it took
    local name=$1 t0 rc=0
    shift
    t0=$(now)
    # A subshell outside any `||`/`if`, so that `set -e` holds inside the step's functions.
    set +e
    (set -e; "$@")
    rc=$?
    set -e
    printf 'bootstrap: %-28s %6.1f s%s\n' "$name" "$(( $(now) - t0 ))e-9" \
        "$([ "$rc" -eq 0 ] || echo " (FAILED, exit $rc)")"
    return "$rc"
}
skip() { printf 'bootstrap: %-28s   skip (%s)\n' "$1" "$2"; }

install_sshd() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends openssh-server rsync
}

install_requirements() {
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements/ci.txt
    sha256sum requirements/ci.txt > "$VENV/.ci-requirements.sha256"
}

install_project() {
    # hatchling and editables come from the lock, so no isolated build env is needed.
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
        --no-build-isolation -e .
    sha256sum pyproject.toml > "$VENV/.ci-project.sha256"
}

# sshd serves the SFTP backend; Toil's test package needs rsync on import.
if [ -x /usr/sbin/sshd ] && command -v rsync >/dev/null; then
    skip "apt openssh-server rsync" "/usr/sbin/sshd and rsync present"
else
    step "apt openssh-server rsync" install_sshd
fi

if [ -x node_modules/.bin/azurite-blob ]; then
    skip "npm ci (azurite)" "node_modules/.bin/azurite-blob present"
else
    step "npm ci (azurite)" npm ci --no-audit --no-fund
fi

if [ -x "$VENV/bin/python" ]; then
    skip "venv" "$VENV exists"
else
    step "venv" "$PYTHON" -m venv "$VENV"
fi

if sha256sum --status -c "$VENV/.ci-requirements.sha256" 2>/dev/null; then
    skip "pip -r requirements/ci.txt" "lock unchanged since last install"
else
    step "pip -r requirements/ci.txt" install_requirements
fi

if sha256sum --status -c "$VENV/.ci-project.sha256" 2>/dev/null \
    && "$VENV/bin/python" -c 'import importlib.metadata as m; m.version("fsjobstore")' 2>/dev/null
then
    skip "pip -e . (fsjobstore)" "installed, pyproject unchanged"
else
    step "pip -e . (fsjobstore)" install_project
fi
