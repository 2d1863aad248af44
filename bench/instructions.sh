#!/usr/bin/env bash
# Instructions executed by `chamdiem score` on one thread, counted by
# valgrind (cachegrind, no cache simulation): a figure the load of a shared
# machine does not move, for comparing two builds of the engine.
# Usage: bench/instructions.sh FILE.jsonl BINARY...
set -euo pipefail
file=$1
shift
for bin in "$@"; do
    # Exit status 1 only says that some records are errors.
    count=$( (RAYON_NUM_THREADS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        "$bin" score "$file" --period 2024 --output /dev/null 2>&1 || true) | sed -n 's/.*I *refs: *//p')
    echo "$bin $count"
done
