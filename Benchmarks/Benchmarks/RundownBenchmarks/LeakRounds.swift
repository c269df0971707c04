// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization

/// One kind of leak round (see `LeakBenchmarks.swift`): the waits, callbacks, cancellations and timeouts of one
/// run-down type, each of which registers a waiter record (or keeps a callback) that is removed again.
///
/// A round checks (trapping otherwise) that every wait and callback did what the contract says, and that the
/// object's live waiter records reach the number expected while waiters are in flight (so the cancelled and the
/// completed waits really registered; a wait that times out registers because its deadline is still ahead when it
/// does, see ``leakTimeout``) and are back to zero at the end; the benchmark's malloc counters then show whether
/// anything else stayed behind.
protocol LeakRounds: AnyObject, Sendable {
    /// The type's name in benchmark names.
    static var name: String { get }

    /// The operations one round does, by kind.
    static var operationsPerRound: LeakOperations { get }

    /// Creates an object to run rounds on.
    init()

    /// Runs one round.
    func round() async
}

/// The operations of one leak round, by kind: each registers a waiter record (or keeps a callback) that is removed
/// again, by its deadline, its cancellation, or the completion it waits for; or, for `objects`, registers a recording
/// object that unregisters when it goes away.
struct LeakOperations {
    var timeouts: Int
    var callbacks: Int
    var cancellations: Int
    var waits: Int
    var objects = 0

    var total: Int { timeouts + callbacks + cancellations + waits + objects }
}

extension LeakOperations: CustomStringConvertible {
    /// As `check-leaks.sh` parses it; the objects only where a round has any.
    var description: String {
        "\(timeouts) timeouts \(callbacks) callbacks \(cancellations) cancellations \(waits) waits"
            + (objects > 0 ? " \(objects) objects" : "")
    }
}

/// How many waiters of each asynchronous kind (timeouts, cancellations, waits) and how many callbacks a round has at
/// once: a round costs mostly thread hand-offs and timer wake-ups, which this many share.
let leakFanOut = 32

/// How long a wait that must time out waits: long against the few nanoseconds from computing the deadline to
/// registering the waiter (a deadline that has passed before then registers nothing), short against a round.
let leakTimeout = Duration.microseconds(20)

/// How long a replacement of a ``RundownProtected`` that must time out waits: long against the microseconds it
/// spends getting its turn and installing its value before it waits for readers with what is left of it.
let leakReplacementTimeout = Duration.microseconds(200)

/// How long a wait that is cancelled would wait; its task is cancelled within microseconds, and its timer goes with
/// it (``EarlyEndedWaitRounds`` checks that with a one-hour deadline).
let leakCancelledTimeout = Duration.milliseconds(100)

/// The thread that blocking waiters and blocking replacements of the leak rounds run on: created once, so that no
/// sample pays for a new thread.
let leakWorker = PinnedWorker(cpu: usableCPUs[1 % usableCPUs.count])

/// Traps with `message` unless `condition` holds; unlike `precondition`, keeps the message in optimized builds.
func leakCheck(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { leakFailure(message()) }
}

/// Traps with `message`, in optimized builds too.
func leakFailure(_ message: String) -> Never {
    fatalError("leak rounds: \(message)")
}

/// Suspends until `condition` holds: until the waiters of a round have registered.
func suspendUntil(_ condition: () -> Bool) async {
    while !condition() { await Task.yield() }
}

/// The leak rounds of ``RundownRef``, ``CacheAwareRundownRef`` and an embedded ``RundownEngine``.
///
/// One round, with one holder inside: a blocking wait with a timeout (on ``leakWorker``) and ``leakFanOut`` suspended
/// ones at the same time, which time out; ``leakFanOut`` completion callbacks, kept; ``leakFanOut`` suspended waits with a (long) timeout whose tasks
/// are cancelled; one blocked thread and ``leakFanOut`` suspended tasks waiting, released by the holder leaving,
/// which also runs the callbacks; re-initialization.
final class RundownLeakRounds<Rundown: LeakCheckedRundown>: LeakRounds {
    static var name: String { Rundown.leakName }

    static var operationsPerRound: LeakOperations {
        LeakOperations(
            timeouts: leakFanOut + 1,
            callbacks: leakFanOut,
            cancellations: leakFanOut,
            waits: leakFanOut + 1
        )
    }

    let rundown = Rundown()
    private let callbacks = Atomic<Int>(0)
    private let rounds = Atomic<Int>(0)

    init() {}

    func round() async {
        let round = rounds.add(1, ordering: .relaxed).newValue
        rundown.hold()

        // Timeouts: a blocked thread and suspended tasks at once. The first begins the run-down, which stays begun.
        leakWorker.run { self.timeOutBlocking() }
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<leakFanOut {
                group.addTask { await self.rundown.waitForRundown(timeout: leakTimeout) }
            }
            for await completed in group {
                leakCheck(!completed, "\(Self.name): a timed wait completed with a holder inside")
            }
        }
        leakWorker.waitUntilIdle()
        expectRecords(0, "after the timeouts")

        // Callbacks, kept until the run-down completes.
        for _ in 0..<leakFanOut {
            rundown.beginRundown { self.callbacks.add(1, ordering: .relaxed) }
        }
        expectRecords(leakFanOut, "with the callbacks kept")

        // Cancellations: every waiter has registered when its task is cancelled.
        let cancelled = (0..<leakFanOut).map { _ in
            Task { await self.rundown.waitForRundown(timeout: leakCancelledTimeout) }
        }
        await suspendUntil { rundown.liveWaiterRecordCount == 2 * leakFanOut }
        for task in cancelled { task.cancel() }
        for task in cancelled {
            let completed = await task.value
            leakCheck(!completed, "\(Self.name): a cancelled wait completed with a holder inside")
        }
        expectRecords(leakFanOut, "after the cancellations")

        // Waits, released (with the callbacks) when the holder leaves.
        leakWorker.run { self.waitBlocking() }
        let waiters = (0..<leakFanOut).map { _ in Task { await self.rundown.waitForRundown() } }
        await suspendUntil { rundown.liveWaiterRecordCount == 2 * leakFanOut + 1 }
        rundown.leave()
        for waiter in waiters { await waiter.value }
        leakWorker.waitUntilIdle()
        let ran = callbacks.load(ordering: .relaxed)
        leakCheck(ran == round * leakFanOut, "\(Self.name): \(ran) callbacks ran in \(round) rounds")
        expectRecords(0, "after the run-down completed")
        rundown.reInitialize()
    }

    /// A blocking timed wait that must time out (synchronous, so that the async round may call it).
    private func timeOutBlocking() {
        let completed = rundown.waitForRundown(timeout: leakTimeout)
        leakCheck(!completed, "\(Self.name): a blocking timed wait completed with a holder inside")
    }

    private func waitBlocking() {
        rundown.waitForRundown()
    }

    private func expectRecords(_ expected: Int, _ when: String) {
        let live = rundown.liveWaiterRecordCount
        leakCheck(live == expected, "\(Self.name): \(live) live waiter records \(when), expected \(expected)")
    }
}
