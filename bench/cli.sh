#!/usr/bin/env bash
# CLI figures for BENCHMARKS.md: the `chamdiem` command against the plain
# Python scorer on the same JSON Lines file, and peak memory while streaming
# a large file. Usage: bench/cli.sh [RECORDS] [BIG_RECORDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
big=${2:-1000000}
mkdir -p bench/out
data=bench/out/synthetic-$n.jsonl
bigdata=bench/out/synthetic-$big.jsonl
[ -f "$data" ] || python3 examples/generate.py --count "$n" --year 2024 --seed 7 --bad-fraction 0.01 --format jsonl > "$data"
[ -f "$bigdata" ] || python3 examples/generate.py --count "$big" --year 2024 --seed 8 --bad-fraction 0.01 --format jsonl > "$bigdata"
cargo build --release -q -p chamdiem-cli
bin=target/release/chamdiem

# Exit status 1 only says that some records (the generated 1% of bad ones) are errors.
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>&1 || [ $? -eq 1 ]; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
# Runs a command N times; prints "median best" in seconds.
runs() { local n=$1; shift; for _ in $(seq "$n"); do seconds "$@"; done | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[1]}'; }

read -r cli cli_best < <(runs 7 $bin score "$data" --period 2024 --output /dev/null)
read -r py py_best < <(runs 3 sh -c "python3 bench/reference_scorer.py --period 2024 < $data")
rssfile=$(mktemp)
/usr/bin/time -f '%M' -o "$rssfile" $bin score "$bigdata" --period 2024 --output /dev/null 2>/dev/null || [ $? -eq 1 ]
rss=$(tail -1 "$rssfile")
bigtime=$(seconds $bin score "$bigdata" --period 2024 --output /dev/null)

echo "records: $n synthetic; JSON Lines in, JSON Lines out; $(nproc) cores; median of 7 runs (CLI) and 3 (Python)"
echo
echo "| measure | value |"
echo "| --- | --- |"
printf '| `chamdiem score` (all cores) | %.2f s, %.0f records/s |\n' "$cli" "$(echo "$n / $cli" | bc -l)"
printf '| `bench/reference_scorer.py` (plain Python, 1 core) | %.2f s, %.0f records/s |\n' "$py" "$(echo "$n / $py" | bc -l)"
printf '| CLI ÷ Python | %.1f× faster (best run against best run: %.1f×) |\n' "$(echo "$py / $cli" | bc -l)" "$(echo "$py_best / $cli_best" | bc -l)"
printf '| streaming %s records through the CLI | %.1f s, peak resident memory %.0f MB |\n' "$big" "$bigtime" "$(echo "$rss / 1024" | bc -l)"
