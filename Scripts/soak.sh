#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The soak: runs the long stress tests for MINUTES minutes in all, split evenly across three
# configurations, and prints what they did.
#
#   tsan            release build under ThreadSanitizer: RundownRef, and CacheAwareRundownRef on its atomic-slot path
#                   (ThreadSanitizer builds compile the restartable sequences out). ThreadSanitizer checks the memory
#                   ordering of every plain access the tests make, and the tests check the invariants.
#   release         release build, the process's own fast path: RundownRef, and CacheAwareRundownRef on restartable
#                   sequences (rseq) and forced onto atomic slots; the rseq ledger test runs here. The library's
#                   misuse traps are `fatalError`s and its internal checks `precondition`s, which an optimized (-O)
#                   build keeps, and the invariant checks are the tests' own expectations.
#   release-no-rseq the same build with RUNDOWN_DISABLE_RSEQ=1: every CacheAwareRundownRef on atomic slots.
#
# The tests are Tests/RundownTests/InvariantStressTests.swift (three tests, each for RundownRef and both
# CacheAwareRundownRef paths), RundownProtected's "replacements under concurrent readers" in
# RundownProtectedTests.swift (readers on one word, per CPU on the process's path, per CPU forced onto atomic slots)
# and RestartableSequenceStressTests.swift (two cases, on the rseq path only). They run
# one at a time (`--no-parallel`), each case for (its configuration's share) / (its configuration's cases) seconds
# through RUNDOWN_STRESS_SECONDS, and each prints a `rundown-stress ...` summary line (see
# Tests/RundownTests/Support/StressLoop.swift) that this script adds up.
#
# Building comes first and does not count against MINUTES (two builds: release, and release under
# ThreadSanitizer; a few minutes from scratch, seconds when up to date). A case never runs fewer rounds than the CI
# run does, so a very short soak can take a little longer than asked.
#
# The final table has one row per configuration: duration (the test run's wall time), operations (protected
# sections, waits and callbacks), run-downs completed, rseq aborts (critical sections the kernel aborted and that
# restarted) and the result. It exits 1 if any configuration fails: an invariant expectation failed, a test
# crashed or trapped, ThreadSanitizer reported anything, a case did not report, a configuration hung (it is stopped
# at three times its share plus five minutes), ran on the wrong path (rseq missing where it is expected on Linux,
# or present where it must not be), or ran rseq for a minute or more without a single abort.
#
# Usage: Scripts/soak.sh MINUTES          (decimals allowed: Scripts/soak.sh 0.5)
# Environment:
#   SOAK_SCRATCH_PATH   build folder prefix (default .build-soak): release builds in it, ThreadSanitizer in
#                       "$SOAK_SCRATCH_PATH-tsan"; the logs go to "$SOAK_SCRATCH_PATH/soak-logs"
#   SOAK_ALLOW_NO_RSEQ  set to 1 to accept a Linux machine without restartable sequences (the rseq configuration
#                       then runs on atomic slots and says so) instead of failing
set -euo pipefail

case "${1:-}" in
    -h | --help)
        sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
        exit 0
        ;;
esac
if [ "$#" -ne 1 ] || ! [[ "$1" =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || ! awk -v m="$1" 'BEGIN { exit !(m > 0) }'; then
    echo "usage: Scripts/soak.sh MINUTES   (a positive number; try --help)" >&2
    exit 2
fi
minutes="$1"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
command -v python3 >/dev/null 2>&1 || {
    echo "soak: needs python3" >&2
    exit 2
}

scratch="${SOAK_SCRATCH_PATH:-$root/.build-soak}"
logs="$scratch/soak-logs"
mkdir -p "$logs"
filter='RundownTests\.(InvariantStressTests|RestartableSequenceStressTests|RundownProtectedTests/replacementsUnderConcurrentReaders)'
release_flags=(-c release -Xswiftc -enable-testing --scratch-path "$scratch")
tsan_flags=(-c release -Xswiftc -enable-testing --sanitize=thread --scratch-path "$scratch-tsan")

# The cases each configuration runs: the invariant tests' 3 x 3 and RundownProtected's replacements under readers
# (readers on one word, per CPU, per CPU on atomic slots), plus the rseq ledger's 2 where rseq is used.
invariant_cases=12
rseq_cases=2
expect_rseq=0
[ "$(uname -s)" = Linux ] && [ "${SOAK_ALLOW_NO_RSEQ:-0}" != 1 ] && expect_rseq=1

echo "=== soak: building (not counted against the ${minutes} minutes)"
build_started=$SECONDS
swift build --build-tests "${release_flags[@]}"
swift build --build-tests "${tsan_flags[@]}"
echo "=== soak: built in $((SECONDS - build_started))s"

share="$(awk -v m="$minutes" 'BEGIN { printf "%.3f", m * 60 / 3 }')"
results=()

# run NAME CASES EXTRA_ENV... -- SWIFT_TEST_FLAGS...: runs one configuration, its log in $logs/NAME.log.
run() {
    local name="$1" cases="$2"
    shift 2
    local environment=()
    while [ "$1" != -- ]; do
        environment+=("$1")
        shift
    done
    shift
    local per_case status log="$logs/$name.log"
    per_case="$(awk -v s="$share" -v c="$cases" 'BEGIN { printf "%.3f", s / c }')"
    echo "=== soak: $name: $cases cases x ${per_case}s ${environment[*]+"${environment[*]}"}"
    local started
    started="$(python3 -c 'import time; print(time.monotonic())')"
    # A hung case must not hang the soak: give up at three times the share plus five minutes (where `timeout` exists;
    # it signals the whole process group, the test process included).
    local limit=()
    command -v timeout >/dev/null 2>&1 &&
        limit=(timeout --kill-after=10 "$(awk -v s="$share" 'BEGIN { printf "%d", s * 3 + 300 }')")
    set +e
    env "${environment[@]+"${environment[@]}"}" RUNDOWN_STRESS_SECONDS="$per_case" \
        "${limit[@]+"${limit[@]}"}" swift test "$@" --skip-build --no-parallel --filter "$filter" >"$log" 2>&1
    status=$?
    set -e
    local elapsed
    elapsed="$(python3 -c "import time; print(f'{time.monotonic() - $started:.1f}')")"
    grep '^rundown-stress ' "$log" || true
    results+=("$name|$status|$elapsed|$log")
}

run tsan "$invariant_cases" -- "${tsan_flags[@]}"
run release "$((invariant_cases + rseq_cases * expect_rseq))" -- "${release_flags[@]}"
run release-no-rseq "$invariant_cases" RUNDOWN_DISABLE_RSEQ=1 -- "${release_flags[@]}"

python3 - "$expect_rseq" "$invariant_cases" "$rseq_cases" "${results[@]}" <<'PY'
import re
import sys

expect_rseq = sys.argv[1] == "1"
invariant_cases, rseq_cases = int(sys.argv[2]), int(sys.argv[3])
rows, failed = [], False
for entry in sys.argv[4:]:
    name, status, elapsed, log = entry.split("|", 3)
    text = open(log, encoding="utf-8", errors="replace").read()
    lines = [dict(field.split("=", 1) for field in line.split()[1:])
             for line in text.splitlines() if line.startswith("rundown-stress ")]
    operations = sum(int(line["operations"]) for line in lines)
    rundowns = sum(int(line["rundowns"]) for line in lines)
    aborts = sum(int(line["aborts"]) for line in lines)
    rseq_lines = sum(1 for line in lines if line["path"] == "rseq")
    # The rseq ledger's cases run (and report) exactly when the process uses restartable sequences.
    cases = invariant_cases + (rseq_cases if rseq_lines else 0)
    problems = []
    if status == "124":
        problems.append("timed out")
    elif status != "0":
        problems.append(f"swift test exited {status}")
    failures = [line.strip() for line in text.splitlines() if re.match(r"^\s*✘", line)]
    if failures:
        problems.append(f"{len(failures)} failed expectation or test line(s)")
    if "WARNING: ThreadSanitizer" in text:
        problems.append("ThreadSanitizer reported")
    if len(lines) != cases:
        problems.append(f"{len(lines)} of {cases} cases reported")
    if name == "release" and expect_rseq and rseq_lines == 0:
        problems.append("no case ran on restartable sequences (SOAK_ALLOW_NO_RSEQ=1 accepts that)")
    if name != "release" and rseq_lines:
        problems.append(f"{rseq_lines} case(s) ran on restartable sequences")
    # Aborts come from preemption and migration: a run of a minute or more on this path always sees some (the
    # 20-minute soak saw thousands); a short smoke run may not, and is not failed for it.
    if name == "release" and rseq_lines and aborts == 0:
        if float(elapsed) >= 60:
            problems.append("no rseq critical section was aborted: restarts were not exercised")
        else:
            print(f"soak: note: no rseq abort in {elapsed}s (required from 60 s on)", file=sys.stderr)
    failed = failed or bool(problems)
    rows.append((name, f"{elapsed}s", f"{operations:,}", f"{rundowns:,}", f"{aborts:,}",
                 "PASS" if not problems else "FAIL: " + "; ".join(problems), log if problems else "", failures))

header = ("configuration", "duration", "operations", "run-downs", "rseq aborts", "result")
widths = [max(len(header[i]), *(len(row[i]) for row in rows)) for i in range(5)]
print()
for cells in [header] + rows:
    print("  ".join([cells[0].ljust(widths[0])] + [cells[i].rjust(widths[i]) for i in range(1, 5)] + [cells[5]]))
for row in rows:
    if row[6]:
        print(f"soak: {row[0]} failed; its log: {row[6]}", file=sys.stderr)
        for line in row[7][:6]:
            print(f"    {line}", file=sys.stderr)
sys.exit(1 if failed else 0)
PY
