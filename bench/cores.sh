#!/usr/bin/env bash
# How the CLI uses two cores (issue 6 §4): `chamdiem score` on all cores
# against itself on one thread and pinned to one CPU, in interleaved rounds,
# on a quiet machine and with a neighbour (a busy loop) holding a core.
# Prints medians; compare the ratios of one run. Usage: bench/cores.sh [RECORDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
rounds=${2:-5}
mkdir -p bench/out
data=bench/out/synthetic-$n.jsonl
[ -f "$data" ] || python3 examples/generate.py --count "$n" --year 2024 --seed 7 --bad-fraction 0.01 --format jsonl > "$data"
cargo build --release -q -p chamdiem-cli
bin=target/release/chamdiem
t=$(mktemp)
trap 'rm -f "$t"; [ -n "${busy:-}" ] && kill "$busy" 2>/dev/null; true' EXIT

# One run: "wall cpu" in seconds (exit status 1 only says some records are errors).
run() {
  /usr/bin/time -o "$t" -f '%e %U %S' "$@" "$bin" score "$data" --period 2024 --output /dev/null 2>/dev/null || [ $? -eq 1 ]
  tail -n 1 "$t" | awk '{print $1, $2 + $3}'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() { # label → rows of "label wall cpu" for each mode, interleaved
  local label=$1
  for _ in $(seq "$rounds"); do
    echo "$label all $(run env)"
    echo "$label one $(run env RAYON_NUM_THREADS=1)"
    echo "$label pinned $(run taskset -c 0)"
  done
}

rows=$(mktemp)
measure quiet >> "$rows"
python3 -c 'while True: pass' & busy=$!
measure neighbour >> "$rows"
kill "$busy"; busy=

echo "records: $n synthetic (vn.enterprise, period 2024), $(nproc) cores, $rounds interleaved rounds, medians"
echo
echo "| machine | mode | wall | records/s | CPU µs per record |"
echo "| --- | --- | --- | --- | --- |"
for label in quiet neighbour; do
  for mode in all one pinned; do
    wall=$(awk -v l=$label -v m=$mode '$1==l && $2==m {print $3}' "$rows" | median)
    cpu=$(awk -v l=$label -v m=$mode '$1==l && $2==m {print $4}' "$rows" | median)
    printf '| %s | %s | %.2f s | %.0f | %.1f |\n' "$label" "$mode" "$wall" "$(echo "$n / $wall" | bc -l)" "$(echo "$cpu * 1000000 / $n" | bc -l)"
  done
done
ratio() { # label mode-a mode-b → wall(b) / wall(a)
  local a b
  a=$(awk -v l=$1 -v m=$2 '$1==l && $2==m {print $3}' "$rows" | median)
  b=$(awk -v l=$1 -v m=$3 '$1==l && $2==m {print $3}' "$rows" | median)
  echo "$b / $a" | bc -l
}
echo
printf 'quiet: all cores %.2f× the one-thread rate\n' "$(ratio quiet all one)"
printf 'neighbour: all cores %.2f× the one-thread rate, %.2f× pinned to one CPU\n' "$(ratio neighbour all one)" "$(ratio neighbour all pinned)"
rm -f "$rows"
