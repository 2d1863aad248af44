#!/usr/bin/env bash
# The Python package's tests, as a new user would meet it: a fresh virtual
# environment, `pip install ./bindings-python` (PEP 517: maturin builds the
# wheel), then pytest on the installed package: the API, the same answers as
# the CLI, the type stubs, pickling, multiprocessing, Dask, PySpark, the
# README's Python blocks and the example notebook.
# Idempotent; pip's cache makes later runs quick. Called by scripts/test-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

python=${PYTHON:-python3}
venv="$root/.venv-py-test"

# PySpark needs Java.
if ! command -v java >/dev/null; then
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless
fi
# The tests compare with the CLI.
cargo build -q -p chamdiem-cli

echo "-- a fresh virtual environment, and pip install ./bindings-python"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q ./bindings-python
# What the tests use beside the package (pandas, pyarrow, polars are optional for users).
"$venv/bin/pip" install -q -r bindings-python/tests/requirements.txt

echo "-- pytest on the installed package"
mkdir -p bindings-python/test-artifacts
cd bindings-python/tests
CHAMDIEM_ROOT="$root" CHAMDIEM_CLI="$root/target/debug/chamdiem" \
    "$venv/bin/python" -m pytest -p no:cacheprovider -q "$@"
