// SPDX-License-Identifier: Apache-2.0

/// Where a ``ModelDriver`` takes its decisions from: which operation comes next and with what arguments.
///
/// The tests draw them from a ``SeededGenerator``, so that a seed replays a run; the fuzzer (`Fuzz/`) reads them from
/// its input, so that libFuzzer's mutations steer the operations.
protocol StepChoices {
    /// A choice in `0..<bound`; `bound` is positive.
    mutating func below(_ bound: Int) -> Int
}

extension StepChoices {
    /// `true` with probability `percent` / 100, for a uniform source.
    mutating func chance(_ percent: Int) -> Bool {
        below(100) < percent
    }
}
