#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CI gate: builds the benchmarks in release and fails unless acquiring and releasing run-down protection
# (withProtection, sync and async; tryAcquire and the guard's release; tryAcquire(count:); the unsafe pair; a
# refused tryAcquire) mallocs zero times, for every run-down type under benchmark, with holder recording on too,
# and that reading a RundownProtected (readers on one word or per CPU, recorded or not) mallocs zero times.
#
# The counts are of the whole process (the interposer counts every thread). A benchmark that shows a malloc runs
# again, alone; it fails only if it mallocs again. An allocation of the operations shows in every sample of every
# run, a stray one of the harness or the concurrency runtime (seen about once in three full runs, in one sample of
# two hundred) does not come back.
#
# Wall-clock figures are too noisy on shared CI machines to gate on; malloc counts are exact.
# A control benchmark that mallocs once per operation must show its mallocs, so that a harness that stopped
# counting (no interposer) fails the gate instead of passing it.
#
# Usage: Benchmarks/check-mallocs.sh
# Environment: BENCHMARK_SCRATCH_PATH  the build folder (default Benchmarks/.build)
set -euo pipefail

# shellcheck source=gate-benchmarks.sh
source "$(dirname "$0")/gate-benchmarks.sh"
run_gate_benchmarks histogramPercentiles 'Allocations.*' 'MallocControl.*'

# check FOLDER RETRIED: judges one exported run; prints a line per benchmark and writes the names of the benchmarks
# that malloced to FOLDER/malloced. Exits 1 on any failure. RETRIED (0 or 1) only changes the wording.
check() {
    python3 - "$1" "$2" <<'PY'
import sys
from pathlib import Path

SUFFIX = ".mallocCountTotal.histogram.percentiles.tsv"
# operationsPerAllocationSample in AllocationBenchmarks.swift: the control mallocs once per operation.
CONTROL_MALLOCS_PER_SAMPLE = 1_000

folder, retried = Path(sys.argv[1]), sys.argv[2] == "1"
counts = {}
for path in folder.glob("*" + SUFFIX):
    name = path.name[: -len(SUFFIX)].split(".", 2)[2].replace("_", " ")
    values = [float(line.split("\t")[1]) for line in path.read_text().splitlines()[1:]]
    counts[name] = (min(values), max(values))

failures, malloced = [], []
control = [name for name in counts if name.startswith("MallocControl")]
gated = sorted(name for name in counts if name.startswith("Allocations"))
if not control or counts[control[0]][0] < CONTROL_MALLOCS_PER_SAMPLE:
    failures.append(f"the control benchmark did not count {CONTROL_MALLOCS_PER_SAMPLE} mallocs per sample: "
                    f"{counts.get(control[0]) if control else 'missing'}; is the malloc interposer active?")
if not gated:
    failures.append("no Allocations benchmarks ran")
for name in gated:
    low, high = counts[name]
    status = "ok  " if high == 0 else "FAIL"
    print(f"{status} {name}: {high:.0f} mallocs in the worst sample{' (run again)' if retried else ''}")
    if high != 0:
        malloced.append(name)
        failures.append(f"{name} mallocs ({high:.0f} in the worst sample of {CONTROL_MALLOCS_PER_SAMPLE} operations"
                        f"{', again when run alone' if retried else ''})")
(folder / "malloced").write_text("".join(name + "\n" for name in malloced))

for failure in failures:
    print(f"check-mallocs: {failure}", file=sys.stderr)
if failures:
    sys.exit(1)
print(f"check-mallocs: {len(gated)} benchmarks, zero mallocs")
PY
}

if check "$results" 0; then
    exit 0
fi
# A benchmark that malloced runs again, alone with the control: an allocation of the operations shows in every
# sample of every run (a thousand operations a sample), while a stray malloc of the harness or the concurrency
# runtime, counted because the interposer counts every thread, does not come back. Any other failure is final.
malloced=()
while IFS= read -r name; do malloced+=("$name"); done <"$results/malloced"
[ "${#malloced[@]}" -gt 0 ] || exit 1
echo "check-mallocs: running again, alone: ${malloced[*]}" >&2
filters=('MallocControl.*')
for name in "${malloced[@]}"; do
    filters+=("^$(python3 -c 'import re, sys; print(re.sub(r"([^A-Za-z0-9 ])", r"\\\1", sys.argv[1]))' "$name")\$")
done
# run_gate_benchmarks exports into "$results"; point it at a subfolder, and back afterwards, so that the exit trap
# removes the whole temporary folder.
first="$results"
results="$first/again"
mkdir -p "$results"
run_gate_benchmarks histogramPercentiles "${filters[@]}"
status=0
check "$results" 1 || status=$?
results="$first"
exit "$status"
