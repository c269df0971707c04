#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CI gate: builds the benchmarks in release and runs the `Leaks` group (LeakBenchmarks.swift): for RundownRef,
# CacheAwareRundownRef, an embedded RundownEngine and RundownProtected (readers on one word, and per CPU), a million
# waits, callbacks, cancellations and timeouts each (the large batches), every round checking that the live waiter
# records are back to zero and trapping otherwise; a million async waits with a one-hour timeout that end early; and
# a million named recording objects created and dropped, every round checking that the registry of recording objects
# is back where it was. It fails unless, for every type, the allocations left outstanding after a sample (malloc
# interposer: mallocs minus frees over the sample, all threads) do not grow from a small batch of rounds to the large
# one: the smallest outstanding count over the large batch's samples may exceed the small batch's by at most
# TOLERANCE.
#
# TOLERANCE covers the concurrency runtime's bounded caching: libdispatch keeps up to 1,024 freed continuations per
# thread, so a sample can end with a few thousand allocations cached (a bare Task.sleep loop shows the same), however
# many rounds it ran; the cache cannot grow in every one of three samples, so the smallest of them stays near zero
# (measured: at most a dozen). A leak grows with the rounds: one allocation per 325 operations or more adds
# TOLERANCE to every large sample of a third of a million operations.
#
# Not vacuous: every sample must count at least one malloc per operation (the rounds allocate, so the counter
# sees them), and a control (LeakControl: RundownRef's rounds plus four allocations leaked on purpose every round)
# must show its leak, within 10%, and fail the same criterion; a harness that stopped counting mallocs, or frees,
# fails the gate instead of passing it.
#
# Usage: Benchmarks/check-leaks.sh
# Environment: BENCHMARK_SCRATCH_PATH  the build folder (default Benchmarks/.build; CI shares check-mallocs.sh's)
set -euo pipefail

# shellcheck source=gate-benchmarks.sh
source "$(dirname "$0")/gate-benchmarks.sh"
run_gate_benchmarks histogramSamples 'Leaks.*' 'LeakControl.*'

python3 - "$results" <<'PY'
import re
import sys
from pathlib import Path

TOLERANCE = 1_024
# leakControl in LeakBenchmarks.swift: the allocations the control leaks every round.
CONTROL_LEAKED_PER_ROUND = 4
NAME = re.compile(
    r"^(?P<group>Leaks|LeakControl) (?P<type>\S+)\.(?P<batch>small|large) (?P<rounds>\d+) rounds: "
    r"(?P<timeouts>\d+) timeouts (?P<callbacks>\d+) callbacks (?P<cancellations>\d+) cancellations (?P<waits>\d+) waits"
    r"( (?P<objects>\d+) objects)?$"
)
KINDS = ("timeouts", "callbacks", "cancellations", "waits", "objects")


def samples(metric):
    """{benchmark name: [sample values]} for one metric."""
    suffix = f".{metric}.histogram.samples.tsv"
    found = {}
    for path in Path(sys.argv[1]).glob("*" + suffix):
        name = path.name[: -len(suffix)].split(".", 2)[2].replace("_", " ")
        found[name] = [int(float(line)) for line in path.read_text().splitlines()[1:] if line.strip()]
    return found


outstanding, mallocs = samples("mallocFreeDelta"), samples("mallocCountTotal")
batches = {}  # (group, type) -> {batch: (rounds, mix, outstanding samples, malloc samples)}
failures = []
for name, values in outstanding.items():
    match = NAME.match(name)
    if not match:
        failures.append(f"unexpected benchmark name: {name}")
        continue
    mix = {kind: int(match[kind] or 0) for kind in KINDS}
    batches.setdefault((match["group"], match["type"]), {})[match["batch"]] = (
        int(match["rounds"]), mix, values, mallocs.get(name, [])
    )


def growth(entry):
    """The large batch's smallest outstanding count minus the small batch's."""
    return min(entry["large"][2]) - min(entry["small"][2])


def spread(values):
    return f"{min(values)}..{max(values)}" if values else "none"


types = sorted(key for key in batches if key[0] == "Leaks")
controls = [key for key in batches if key[0] == "LeakControl"]
if not types:
    failures.append("no Leaks benchmarks ran")
for key in types + controls:
    entry = batches[key]
    if set(entry) != {"small", "large"} or not all(entry[batch][2] for batch in entry):
        failures.append(f"{key[0]} {key[1]}: a batch is missing or has no samples: {sorted(entry)}")
        continue
    for batch in ("small", "large"):
        rounds, mix, _, counted = entry[batch]
        per_round = sum(mix.values())
        if not counted or min(counted) < rounds * per_round:
            failures.append(f"{key[0]} {key[1]}.{batch}: {spread(counted)} mallocs per sample, fewer than its "
                            f"{rounds * per_round} operations: is the malloc interposer counting?")

for key in types:
    entry = batches[key]
    if set(entry) != {"small", "large"}:
        continue
    (rounds, mix, large, counted), small = entry["large"], entry["small"][2]
    measured = {kind: count * rounds * len(large) for kind, count in mix.items()}
    total = sum(measured.values())
    grew = growth(entry)
    ok = grew <= TOLERANCE
    print(f"{'ok  ' if ok else 'FAIL'} {key[1]}: {total:,} operations in {len(large)} samples of {rounds} rounds "
          f"({', '.join(f'{measured[kind]:,} {kind}' for kind in KINDS)}); {spread(counted)} mallocs per sample; "
          f"outstanding after a sample: small batch {spread(small)}, large batch {spread(large)}; "
          f"growth {grew} (at most {TOLERANCE})")
    if not ok:
        failures.append(f"{key[1]}: {grew} more allocations outstanding after {rounds} rounds than after "
                        f"{entry['small'][0]}: a leak of about one allocation per {max(1, total // len(large) // grew):,} "
                        "operations")
    if total < 1_000_000:
        failures.append(f"{key[1]}: only {total:,} operations in the large batches")

if not controls:
    failures.append("the LeakControl benchmarks did not run")
for key in controls:
    entry = batches[key]
    if set(entry) != {"small", "large"}:
        continue
    expected = (entry["large"][0] - entry["small"][0]) * CONTROL_LEAKED_PER_ROUND
    grew = growth(entry)
    seen = 0.9 * expected <= grew <= 1.1 * expected + TOLERANCE and grew > TOLERANCE
    print(f"{'ok  ' if seen else 'FAIL'} control {key[1]}: leaks {CONTROL_LEAKED_PER_ROUND} allocations every round, "
          f"growth {grew} (expected {expected}), outstanding after a sample: small batch "
          f"{spread(entry['small'][2])}, large batch {spread(entry['large'][2])}")
    if not seen:
        failures.append(f"the control's leak of {expected} allocations showed as {grew}: the counters or the "
                        "criterion do not see leaks")

for failure in failures:
    print(f"check-leaks: {failure}", file=sys.stderr)
if failures:
    sys.exit(1)
print(f"check-leaks: {len(types)} types, outstanding allocations flat in the number of rounds; the control's leak seen")
PY
