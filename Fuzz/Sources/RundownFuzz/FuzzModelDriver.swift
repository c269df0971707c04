// SPDX-License-Identifier: Apache-2.0

/// Runs the operations an input spells on one ``RundownRef``, ``CacheAwareRundownRef`` or embedded
/// ``RundownEngine``, checking every step against the tests' ``ReferenceModel`` (through their ``ModelDriver``).
///
/// Each operation is one byte, its arguments the bytes after it. `withProtection` scopes nest: the operations
/// between "enter scope" and "leave scope" run inside the body, with its holder inside. Everything runs on the
/// fuzzer's thread and nothing blocks; a mismatch traps (the log was made to), naming the step.
final class FuzzModelDriver: ModelDriver {
    /// The operations, in the order of the byte that selects them (the byte modulo their number).
    enum Operation: CaseIterable {
        case acquireGuard
        case acquireUnguarded
        case release
        case enterScope
        case leaveScope
        case begin
        case beginWithCallback
        case wait
        case reInitialize
        case describe
    }

    /// How deep `withProtection` scopes nest at most.
    static let maximumDepth = 8

    private let input: FuzzInput

    init(subject: any ModelSubject, input: FuzzInput, log: StepLog) {
        self.input = input
        super.init(subject: subject, choices: input, log: log)
    }

    /// Runs the whole input, then releases everything and checks that nothing is left over.
    func run() {
        runSteps(depth: 0)
        releaseEverything()
        checkDrained()
    }

    /// Runs operations until the input ends or, inside a scope, until an operation leaves it.
    private func runSteps(depth: Int) {
        while !input.isExhausted {
            log.beginStep()
            switch Operation.allCases[input.below(Operation.allCases.count)] {
            case .acquireGuard: acquireGuard()
            case .acquireUnguarded: acquireUnguarded()
            case .release: releaseOne()
            case .enterScope:
                guard depth < Self.maximumDepth else { break }
                protect(" (scope \(depth + 1))") { runSteps(depth: depth + 1) }
                note("scope \(depth + 1) ended")
            case .leaveScope:
                guard depth == 0 else { return }
            case .begin: begin()
            case .beginWithCallback: beginWithCallback()
            case .wait: waitInline()
            case .reInitialize: reInitialize()
            case .describe: describe()
            }
            checkStep()
        }
    }

    /// Formats what the object says about itself, for what the formatting code touches.
    private func describe() {
        note("describe")
        _ = subject.holderReport().description
        if let described = subject as? any CustomStringConvertible { _ = described.description }
    }
}
