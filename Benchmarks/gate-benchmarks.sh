# SPDX-License-Identifier: Apache-2.0
# Sourced by the CI gates check-mallocs.sh and check-leaks.sh, not run: defines
#
#     run_gate_benchmarks FORMAT FILTER...
#
# which builds the benchmarks in release and runs those whose names match a FILTER (package-benchmark's --filter
# regular expressions), exporting them in FORMAT (package-benchmark's --format) into the folder "$results": a
# temporary folder, created here and removed when the gate exits. The gate then reads "$results".
#
# Environment: BENCHMARK_SCRATCH_PATH  the build folder (default Benchmarks/.build)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scratch="${BENCHMARK_SCRATCH_PATH:-$here/.build}"
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

run_gate_benchmarks() {
    local format="$1" filter
    shift
    local filters=()
    for filter in "$@"; do filters+=(--filter "$filter"); done
    swift package --package-path "$here" --scratch-path "$scratch" \
        --allow-writing-to-directory "$results" \
        benchmark "${filters[@]}" --format "$format" --path "$results" --no-progress
}
