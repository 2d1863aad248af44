#!/usr/bin/env bash
# Rebuilds docs/pack-guide.md: runs every command the guide shows (with the
# release binary of this checkout, or $CHAMDIEM_BIN_DIR) and pastes the real
# output into pack-guide.tmpl.md.
#   docs/guide-src/build.sh            rewrite docs/pack-guide.md
#   docs/guide-src/build.sh --check    fail if docs/pack-guide.md is stale
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/gen.sh"
if [ "${1:-}" = "--check" ]; then
    fresh=$(mktemp)
    python3 "$here/render.py" "$fresh" > /dev/null
    # One example runs without --period, so its output names the current year.
    if ! diff <(grep -v "không áp dụng cho kỳ" "$here/../pack-guide.md") <(grep -v "không áp dụng cho kỳ" "$fresh") > "$fresh.diff"; then
        head -40 "$fresh.diff"
        echo "docs/pack-guide.md does not match what the program prints now: run docs/guide-src/build.sh"
        exit 1
    fi
    echo "docs/pack-guide.md matches the program's output"
else
    python3 "$here/render.py" "$here/../pack-guide.md"
fi
