#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the throughput and latency benchmarks and prints the comparison tables: every contender against the floor
# (and every waiter against a bare condition variable or continuation) measured in the same run, as ratios.
#
# Usage: Benchmarks/compare.sh [ROUNDS] [--write]
#   ROUNDS   rounds to run (default 3); the tables show the median ratio over rounds, and the lowest and highest
#   --write  also run Benchmarks/check-mallocs.sh, then write the results with the date, machine, toolchain,
#            commit, command and load averages: Benchmarks/results.json (the data), and generated from it
#            Benchmarks/RESULTS.md (every table), Benchmarks/results.svg (the chart) and the generated block of the
#            README's "Performance" section. Commit all four together.
# Environment: BENCHMARK_SCRATCH_PATH  the build folder (default Benchmarks/.build)
#              BENCHMARK_RESULTS       keep the exported results here instead of a temporary folder
#              BENCHMARK_FILTER        a regular expression of benchmarks to run (default: Throughput and Latency);
#                                      recorded in the results, which then say that they are partial
#
# To regenerate RESULTS.md, the chart and the README block from the committed results.json without measuring:
# Benchmarks/compare.py --readme README.md; to check that they match it (CI): Benchmarks/compare.py --check.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
rounds=3
write=0
for argument in "$@"; do
    case "$argument" in
        --write) write=1 ;;
        -h | --help)
            sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
            exit 0
            ;;
        *[!0-9]* | '' | 0)
            echo "compare.sh: expected a number of rounds or --write, got '$argument' (try --help)" >&2
            exit 2
            ;;
        *) rounds="$argument" ;;
    esac
done
scratch="${BENCHMARK_SCRATCH_PATH:-$here/.build}"
if [ -n "${BENCHMARK_RESULTS:-}" ]; then
    results="$BENCHMARK_RESULTS"
    mkdir -p "$results"
else
    results="$(mktemp -d)"
    trap 'rm -rf "$results"' EXIT
fi
filters=()
if [ -n "${BENCHMARK_FILTER:-}" ]; then
    filters=(--filter "$BENCHMARK_FILTER")
else
    filters=(--filter 'Throughput.*' --filter 'Latency.*')
fi

# The command as typed (from the repository root), with the filter if one was set: the results record it.
quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
command="Benchmarks/compare.sh${*:+ $*}"
[ -n "${BENCHMARK_FILTER:-}" ] && command="BENCHMARK_FILTER=$(quote "$BENCHMARK_FILTER") $command"

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }
cpu_model="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | xargs || true)"
cpus="$(nproc)"
toolchain="$(swift --version 2>/dev/null | head -1)"
harness="$(sed -n 's|.*"https://github.com/\(ordo-one/benchmark\)", exact: "\([^"]*\)".*|\1 \2|p' \
    "$here/Package.swift" | head -1)"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
uncommitted=no
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then uncommitted=yes; fi

info="$results/run-info.tsv"
{
    printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'cpu_model\t%s\n' "${cpu_model:-unknown}"
    printf 'cpus\t%s\n' "$cpus"
    printf 'toolchain\t%s\n' "${toolchain:-unknown}"
    printf 'harness\t%s\n' "${harness:-unknown}"
    printf 'commit\t%s\n' "$commit"
    printf 'uncommitted_changes\t%s\n' "$uncommitted"
    printf 'command\t%s\n' "$command"
    printf 'filter\t%s\n' "${BENCHMARK_FILTER:-}"
    printf 'rounds\t%s\n' "$rounds"
} >"$info"

echo "machine: $cpus CPUs, ${cpu_model:-unknown CPU}, $toolchain"
echo "commit: $commit$([ "$uncommitted" = yes ] && echo ' + uncommitted changes')"
rounds_dirs=()
for round in $(seq 1 "$rounds"); do
    before="$(load)"
    echo "round $round of $rounds: load average before: $before"
    rm -rf "$results/round-$round"
    mkdir -p "$results/round-$round"
    swift package --package-path "$here" --scratch-path "$scratch" \
        --allow-writing-to-directory "$results/round-$round" \
        benchmark "${filters[@]}" \
        --format histogramPercentiles --path "$results/round-$round" --no-progress >"$results/round-$round.log" 2>&1 \
        || { cat "$results/round-$round.log"; exit 1; }
    after="$(load)"
    printf 'load_round_%s\t%s\t%s\n' "$round" "$before" "$after" >>"$info"
    echo "round $round of $rounds done; load average after: $after"
    rounds_dirs+=("$results/round-$round")
done
echo

if [ "$write" -eq 0 ]; then
    python3 "$here/compare.py" --run-info "$info" "${rounds_dirs[@]}"
    exit 0
fi

echo "allocations: Benchmarks/check-mallocs.sh"
mallocs_status=0
BENCHMARK_SCRATCH_PATH="$scratch" "$here/check-mallocs.sh" >"$results/mallocs.log" 2>&1 || mallocs_status=$?
printf 'mallocs_exit_status\t%s\n' "$mallocs_status" >>"$info"
if [ "$mallocs_status" -ne 0 ]; then
    echo "check-mallocs.sh exited $mallocs_status (recorded in the results); its output:"
    tail -20 "$results/mallocs.log"
fi
python3 "$here/compare.py" --run-info "$info" --mallocs "$results/mallocs.log" --write "${rounds_dirs[@]}"
