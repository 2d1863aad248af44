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
# The core without its .xlsx writer: what the WebAssembly package's main module is built from.
cargo clippy -p chamdiem --no-default-features -- -D warnings

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

echo "== JavaScript (WebAssembly): the npm package in Node and the page in headless Chromium"
# wasm-bindgen-cli must be exactly the wasm-bindgen of Cargo.lock.
wasm_bindgen_version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$wasm_bindgen_version" ]; then
    cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
cargo build -p chamdiem-cli  # the tests compare every answer with the CLI's
(
    cd bindings-wasm
    npm ci --no-audit --no-fund
    npm run build
    CHAMDIEM_CLI="$PWD/../target/debug/chamdiem" npm test
    CHAMDIEM_CLI="$PWD/../target/debug/chamdiem" npm run test:browser
)
