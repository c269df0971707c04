// SPDX-License-Identifier: Apache-2.0

/// What a model driver has done so far: the number of steps, the last few of them, and the first mismatch with its
/// model, described with the steps that led to it.
///
/// The tests collect the mismatch and report it. The fuzzer creates its logs with `trapsOnFailure`, so that the
/// first mismatch stops the process right where it is found and libFuzzer keeps the input that led to it; with a
/// `trace`, every step is handed to it as it is taken, to read what a saved input does.
struct StepLog {
    /// How many steps have begun.
    private(set) var steps = 0
    /// The first mismatch with the model; `nil` while the run is clean.
    private(set) var failure: String?
    private var recentSteps: [String] = []
    private let trapsOnFailure: Bool
    private let trace: ((String) -> Void)?

    /// How many steps a failure message lists.
    private static let remembered = 12

    init(trapsOnFailure: Bool = false, trace: ((String) -> Void)? = nil) {
        self.trapsOnFailure = trapsOnFailure
        self.trace = trace
    }

    /// Counts a new step.
    mutating func beginStep() {
        steps += 1
    }

    /// Remembers what the current step does, for the failure message.
    mutating func note(_ step: String) {
        trace?("step \(steps): \(step)")
        if recentSteps.count == Self.remembered { recentSteps.removeFirst() }
        recentSteps.append(step)
    }

    /// Records a mismatch unless `condition` holds.
    mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fail(message()) }
    }

    /// Records the mismatch `message` (only the first one counts); traps at once if the log was made to.
    mutating func fail(_ message: String) {
        guard failure == nil else { return }
        let failure = "step \(steps): \(message); last steps: " + recentSteps.joined(separator: " | ")
        if trapsOnFailure { fatalError("model mismatch at \(failure)") }
        self.failure = failure
    }
}
