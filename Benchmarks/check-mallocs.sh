#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CI gate: builds the benchmarks in release and fails unless acquiring and releasing run-down protection
# (withProtection, sync and async; tryAcquire and the guard's release; tryAcquire(count:); the unsafe pair; a
# refused tryAcquire) mallocs zero times, for every run-down type under benchmark.
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

python3 - "$results" <<'PY'
import sys
from pathlib import Path

SUFFIX = ".mallocCountTotal.histogram.percentiles.tsv"
# operationsPerAllocationSample in AllocationBenchmarks.swift: the control mallocs once per operation.
CONTROL_MALLOCS_PER_SAMPLE = 1_000

counts = {}
for path in Path(sys.argv[1]).glob("*" + SUFFIX):
    name = path.name[: -len(SUFFIX)].split(".", 2)[2].replace("_", " ")
    values = [float(line.split("\t")[1]) for line in path.read_text().splitlines()[1:]]
    counts[name] = (min(values), max(values))

failures = []
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
    print(f"{status} {name}: {high:.0f} mallocs in the worst sample")
    if high != 0:
        failures.append(f"{name} mallocs ({high:.0f} in the worst sample of {CONTROL_MALLOCS_PER_SAMPLE} operations)")

for failure in failures:
    print(f"check-mallocs: {failure}", file=sys.stderr)
if failures:
    sys.exit(1)
print(f"check-mallocs: {len(gated)} benchmarks, zero mallocs")
PY
