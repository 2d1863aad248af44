#!/usr/bin/env bash
# Runs every test of chamdiem, first installing what the tests need.
# Idempotent: what is already installed is not installed again.
set -euo pipefail
cd "$(dirname "$0")/.."

# The core must keep building for the browser (wasm32), where it scores sequentially.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi

echo "== format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

echo "== Rust: unit, integration (shared cases, hostile packs, CLI on real files), doc tests, every built-in pack's examples"
cargo test --workspace

echo "== the pack author's guide shows what the program prints now"
CHAMDIEM_BIN_DIR="$PWD/target/debug" docs/guide-src/build.sh --check

echo "== the core builds for wasm32"
cargo build -p chamdiem --target wasm32-unknown-unknown

echo "== the Python reference scorer (the independent oracle of tests/cases)"
python3 -m unittest discover -s bench -p 'test_*.py'

echo "== Python: pip install ./bindings-python in a fresh virtual environment, pytest on it (API, same answers as the CLI, stubs, Dask, Spark, README, notebook)"
bindings-python/test.sh
