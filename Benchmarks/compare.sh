#!/usr/bin/env bash
# Runs the throughput and latency benchmarks and prints the comparison table of the README's "Performance"
# section: every contender against the floor (and every waiter against a bare condition variable) measured in
# the same run.
#
# Usage: Benchmarks/compare.sh [ROUNDS]       (default 3 rounds; the table shows the median ratio over rounds)
# Environment: BENCHMARK_SCRATCH_PATH  the build folder (default Benchmarks/.build)
#              BENCHMARK_RESULTS       keep the exported results here instead of a temporary folder
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
rounds="${1:-3}"
scratch="${BENCHMARK_SCRATCH_PATH:-$here/.build}"
results="${BENCHMARK_RESULTS:-$(mktemp -d)}"

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | xargs)," \
    "$(swift --version 2>/dev/null | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
for round in $(seq 1 "$rounds"); do
    mkdir -p "$results/round-$round"
    swift package --package-path "$here" --scratch-path "$scratch" \
        --allow-writing-to-directory "$results/round-$round" \
        benchmark --filter 'Throughput.*' --filter 'Latency.*' \
        --format histogramPercentiles --path "$results/round-$round" --no-progress >"$results/round-$round.log" 2>&1 \
        || { cat "$results/round-$round.log"; exit 1; }
    echo "round $round of $rounds done; load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
done
echo
python3 "$here/compare.py" "$results"/round-*/
