#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Builds the libFuzzer target (Fuzz/, under AddressSanitizer) and fuzzes it for SECONDS seconds.
#
# Each input picks a public run-down type (RundownRef; CacheAwareRundownRef on the process's fast path, on forced
# atomic slots, with one slot; the embedded RundownEngine; RundownProtected; each also recording its holders) and
# decodes into a sequence of operations on it, every step checked against the tests' reference model; misuse the
# model predicts is skipped, and nothing blocks. See Fuzz/Sources/RundownFuzz.
#
# The run starts from a temporary copy of the seed corpus Fuzz/Corpus (the repository's copy is never written), and
# ends with one summary line: executions, executions per second, coverage (cov: edges, ft: features) and corpus size.
# A crash (a model mismatch, a trap, an AddressSanitizer report, a leak or a hang beyond 10 s) exits non-zero;
# libFuzzer saves the input to Fuzz/Crashes/. Replay one with its steps written out:
#     RUNDOWN_FUZZ_TRACE=1 Fuzz/.build/release/RundownFuzz Fuzz/Crashes/crash-...
#
# Usage: Scripts/fuzz.sh [SECONDS]           (default 60)
#   FUZZ_SCRATCH_PATH  the build folder (default Fuzz/.build)
#   FUZZ_ARGS          more libFuzzer options, e.g. FUZZ_ARGS="-seed=1 -max_len=2048"
#   KEEP=1             keeps the temporary folder (corpus and log) and prints its path
set -euo pipefail

command -v swift >/dev/null 2>&1 || { [ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"; }
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
say() { printf 'fuzz: %s\n' "$*"; }

case "${1:-}" in
    -h | --help)
        sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
        exit 0
        ;;
esac
seconds="${1:-60}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || {
    echo "fuzz: SECONDS must be a positive whole number, not '$seconds'" >&2
    exit 2
}
scratch="${FUZZ_SCRATCH_PATH:-$root/Fuzz/.build}"
artifacts="$root/Fuzz/Crashes"

# Optimized: three times the executions of a debug build, and nothing is lost, since the library has no `assert`
# (its `precondition`s and the fuzzer's checks stay). One combined -sanitize flag: SwiftPM's --sanitize takes
# several, but keeps them in a set whose order changes from run to run, and the compiler uses only the last
# -sanitize it is given, so a build would get AddressSanitizer or coverage, not both. --sanitize=fuzzer is there as
# well so that SwiftPM leaves `main` to libFuzzer. ld.lld, because ld.gold warns about every symbol of ASan's
# export list.
build_flags=(
    --package-path Fuzz --scratch-path "$scratch" -c release
    --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address
    -Xswiftc -use-ld=lld -Xswiftc -warnings-as-errors
)
started=$SECONDS
say "building (scratch path $scratch)"
swift build "${build_flags[@]}"
binary="$(swift build "${build_flags[@]}" --show-bin-path)/RundownFuzz"
say "built in $((SECONDS - started)) s"

work="$(mktemp -d "${TMPDIR:-/tmp}/rundown-fuzz.XXXXXX")"
cleanup() {
    if [ "${KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/corpus" "$artifacts"
cp Fuzz/Corpus/* "$work/corpus/"
seeds="$(find "$work/corpus" -type f | wc -l)"

say "fuzzing for $seconds s from $seeds seeds"
# The Swift runtime's own backtracer would run under AddressSanitizer inside the crashed process, and trip it;
# libFuzzer's handler reports instead.
status=0
fuzzing_started=$SECONDS
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
SWIFT_BACKTRACE=enable=no "$binary" "$work/corpus" \
    -max_total_time="$seconds" -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    ${FUZZ_ARGS:-} 2>&1 | tee "$work/log" || status=$?
fuzzed=$((SECONDS - fuzzing_started))

# The last status line carries cov and ft; the final stats the executions and their rate.
last="$(grep -E '^#[0-9]+' "$work/log" | tail -n 1 || true)"
final_stat() { sed -n "s/^stat::$1: *//p" "$work/log" | tail -n 1; }
figure() { printf '%s\n' "$last" | grep -oE "$1: *[0-9]+" | grep -oE '[0-9]+$' || echo '?'; }
corpus="$(find "$work/corpus" -type f | wc -l)"
executions="$(final_stat number_of_executed_units || true)"
rate="$(final_stat average_exec_per_sec || true)"
say "${executions:-?} executions in $fuzzed s (${rate:-?} exec/s), cov: $(figure cov), ft: $(figure ft)," \
    "corpus: $corpus inputs ($seeds seeds), build + run $((SECONDS - started)) s"
if [ "$status" -ne 0 ]; then
    say "FAILED (libFuzzer exit $status); the input is in $artifacts"
    exit "$status"
fi
say "OK"
