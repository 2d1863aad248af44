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

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

cli=$(median3 "$(seconds $bin score "$data" --period 2024 --output /dev/null)" \
              "$(seconds $bin score "$data" --period 2024 --output /dev/null)" \
              "$(seconds $bin score "$data" --period 2024 --output /dev/null)")
py=$(median3 "$(seconds sh -c "python3 bench/reference_scorer.py --period 2024 < $data")" \
             "$(seconds sh -c "python3 bench/reference_scorer.py --period 2024 < $data")" \
             "$(seconds sh -c "python3 bench/reference_scorer.py --period 2024 < $data")")
rss=$( { /usr/bin/time -f '%M' $bin score "$bigdata" --period 2024 --output /dev/null; } 2>&1 | tail -1 )
bigtime=$(seconds $bin score "$bigdata" --period 2024 --output /dev/null)

echo "records: $n synthetic; JSON Lines in, JSON Lines out; $(nproc) cores; median of 3 runs"
echo
echo "| measure | value |"
echo "| --- | --- |"
printf '| `chamdiem score` (all cores) | %.2f s, %.0f records/s |\n' "$cli" "$(echo "$n / $cli" | bc -l)"
printf '| `bench/reference_scorer.py` (plain Python, 1 core) | %.2f s, %.0f records/s |\n' "$py" "$(echo "$n / $py" | bc -l)"
printf '| CLI ÷ Python | %.1f× faster |\n' "$(echo "$py / $cli" | bc -l)"
printf '| streaming %s records through the CLI | %.1f s, peak resident memory %.0f MB |\n' "$big" "$bigtime" "$(echo "$rss / 1024" | bc -l)"
