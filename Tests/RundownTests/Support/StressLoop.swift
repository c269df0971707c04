// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// The rounds of one stress test's loop, and the machine-readable summary of what the loop did, which
/// `Scripts/soak.sh` adds up.
///
/// How many rounds run: `quick` by default (the CI run, so that `swift test` takes as long as it always did); `long`
/// with `RUNDOWN_LONG_TESTS=1`; with `RUNDOWN_STRESS_SECONDS=<n>` (the soak; decimals allowed) as many as fit in `n`
/// seconds from the loop's creation, and never fewer than `quick`. A loop that runs for a time budget instead of a
/// count (``init(_:flavor:rundown:budget:minimumRounds:)``) takes its budget from ``stressBudget(quick:long:)``.
///
/// The loop does not check anything itself: the test's own expectations are the invariant checks, and a soak fails
/// exactly when one of them does. ``report(operations:)`` prints one line for the soak to parse:
///
///     rundown-stress test=<name> flavor=<flavor> path=<word|rseq|atomic-slots> seconds=<s> operations=<n>
///         rundowns=<n> aborts=<n>
///
/// (on one line). `operations` is what the test says it did (protected sections plus waits plus callbacks, see each
/// test); `rundowns` the rounds, each of which completes one run-down; `aborts` the restartable sequences the kernel
/// aborted (and that restarted) while the loop ran. That counter is process-wide, so it is exact only when tests run
/// one at a time (`swift test --no-parallel`, as the soak runs them); it is 0 for an object off the rseq path, which
/// runs no restartable sequence of its own.
struct StressLoop {
    /// The test's name in the summary: one word, no spaces.
    let test: String
    /// The run-down flavor under test, as the summary names it.
    let flavor: String
    /// The counting path of the object under test: `word`, `rseq` or `atomic-slots`.
    let path: String
    /// The rounds started so far; after the loop, the rounds run.
    private(set) var rounds = 0

    private let minimumRounds: Int
    private let deadline: ContinuousClock.Instant?
    private let started = ContinuousClock.now
    private let abortsBefore = CacheAwareRundownRef.restartedSequences

    /// A loop of `quick` rounds, `long` ones with `RUNDOWN_LONG_TESTS=1`, or `RUNDOWN_STRESS_SECONDS` seconds' worth
    /// (at least `quick`).
    init(_ test: String, flavor: RundownFlavor, rundown: any RundownProtection, quick: Int, long: Int) {
        self.init(test, flavor: flavor.rawValue, path: Self.path(of: rundown), quick: quick, long: long)
    }

    /// A loop that runs for `budget`, and at least `minimumRounds` rounds.
    init(_ test: String, flavor: String, rundown: any RundownProtection, budget: Duration, minimumRounds: Int) {
        self.init(
            test,
            flavor: flavor,
            path: Self.path(of: rundown),
            minimumRounds: minimumRounds,
            deadline: ContinuousClock.now.advanced(by: budget)
        )
    }

    /// A loop over a ``RundownProtected`` whose readers count as `readers` says, rounds as in
    /// ``init(_:flavor:rundown:quick:long:)``; its summary names the flavor `protected-<readers>`.
    init(_ test: String, readers: ReaderKind, quick: Int, long: Int) {
        let path =
            switch readers {
            case .oneWord: "word"
            case .perCPU: CacheAwareRundownRef.processFastPath == .restartableSequences ? "rseq" : "atomic-slots"
            case .perCPUAtomicSlots: "atomic-slots"
            }
        self.init(test, flavor: "protected-\(readers)", path: path, quick: quick, long: long)
    }

    private init(_ test: String, flavor: String, path: String, quick: Int, long: Int) {
        let seconds = environmentValue("RUNDOWN_STRESS_SECONDS").flatMap(Double.init)
        self.init(
            test,
            flavor: flavor,
            path: path,
            minimumRounds: seconds == nil ? iterations(quick: quick, long: long) : quick,
            deadline: seconds.map { ContinuousClock.now.advanced(by: .milliseconds(Int($0 * 1_000))) }
        )
    }

    private init(
        _ test: String,
        flavor: String,
        path: String,
        minimumRounds: Int,
        deadline: ContinuousClock.Instant?
    ) {
        self.test = test
        self.flavor = flavor
        self.path = path
        self.minimumRounds = minimumRounds
        self.deadline = deadline
    }

    /// Whether to run another round; counts it if so.
    mutating func nextRound() -> Bool {
        guard rounds < minimumRounds || deadline.map({ ContinuousClock.now < $0 }) == true else { return false }
        rounds += 1
        return true
    }

    /// Prints the summary line (see the type's discussion); `operations` as the test counts them.
    func report(operations: Int) {
        let milliseconds = started.duration(to: .now) / .milliseconds(1)
        let seconds = "\(Int(milliseconds) / 1_000).\(String(1_000 + Int(milliseconds) % 1_000).dropFirst())"
        let aborts = path == "rseq" ? CacheAwareRundownRef.restartedSequences - abortsBefore : 0
        print(
            "rundown-stress test=\(test) flavor=\(flavor) path=\(path) seconds=\(seconds) operations=\(operations) "
                + "rundowns=\(rounds) aborts=\(aborts)"
        )
    }

    /// How `rundown` counts its holders, in the summary's words.
    private static func path(of rundown: any RundownProtection) -> String {
        guard let cacheAware = rundown as? CacheAwareRundownRef else { return "word" }
        return cacheAware.fastPath == .restartableSequences ? "rseq" : "atomic-slots"
    }
}
