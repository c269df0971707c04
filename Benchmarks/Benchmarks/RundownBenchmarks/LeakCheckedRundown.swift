// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// A run-down object under the leak benchmarks (`Leaks <type>`, see `LeakBenchmarks.swift`): the waits, callbacks
/// and re-initialization every run-down type has, an unguarded hold and leave (so that a release can happen on
/// another thread than the acquisition, with no guard to carry), and the count of its live waiter records.
protocol LeakCheckedRundown: AnyObject, Sendable {
    /// The type's name in benchmark names.
    static var leakName: String { get }

    /// Creates an object in the `active(holders: 0)` state.
    init()

    /// Acquires one unit of protection; traps if that fails.
    func hold()

    /// Releases one unit acquired by ``hold()``, on any thread.
    func leave()

    /// Begins run-down and runs `onCompletion` once its generation completes.
    func beginRundown(onCompletion: @escaping @Sendable () -> Void)

    /// Begins run-down and blocks until it completes.
    @available(*, noasync)
    func waitForRundown()

    /// Begins run-down and blocks until it completes or `timeout` passes; `false` at the deadline.
    @available(*, noasync)
    func waitForRundown(timeout: Duration) -> Bool

    /// Begins run-down and suspends until it completes.
    func waitForRundown() async

    /// Begins run-down and suspends until it completes, `timeout` passes or the task is cancelled.
    func waitForRundown(timeout: Duration) async -> Bool

    /// Opens a new generation after run-down completed.
    func reInitialize()

    /// The waiter records and kept callbacks of the object: zero whenever nobody waits.
    var liveWaiterRecordCount: Int { get }
}

extension LeakCheckedRundown where Self: RundownProtection {
    func hold() {
        guard unsafeTryAcquire(count: 1) else { acquisitionFailed(Self.leakName) }
    }

    func leave() {
        unsafeRelease(count: 1)
    }
}

extension RundownRef: LeakCheckedRundown {
    static var leakName: String { benchmarkName }
}

extension CacheAwareRundownRef: LeakCheckedRundown {
    static var leakName: String { benchmarkName }
}

/// A ``RundownEngine`` embedded in a final class of its own, the way users embed it, forwarding to it.
final class EmbeddedEngine: LeakCheckedRundown {
    static var leakName: String { "RundownEngine" }

    let rundown = RundownEngine()

    init() {}

    func hold() {
        guard rundown.unsafeTryAcquire(count: 1) else { acquisitionFailed(Self.leakName) }
    }

    func leave() { rundown.unsafeRelease(count: 1) }

    func beginRundown(onCompletion: @escaping @Sendable () -> Void) { rundown.beginRundown(onCompletion: onCompletion) }

    @available(*, noasync)
    func waitForRundown() { rundown.waitForRundown() }

    @available(*, noasync)
    func waitForRundown(timeout: Duration) -> Bool { rundown.waitForRundown(timeout: timeout) }

    func waitForRundown() async { await rundown.waitForRundown() }

    func waitForRundown(timeout: Duration) async -> Bool { await rundown.waitForRundown(timeout: timeout) }

    func reInitialize() { rundown.reInitialize() }

    var liveWaiterRecordCount: Int { rundown.liveWaiterRecordCount }
}
