// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization

/// A thread parked on something, and the call that wakes it: the latency benchmarks measure from just before
/// ``wake()`` to the waiter running again.
protocol BlockingWakeProbe: AnyObject, Sendable {
    /// The probe's name in benchmark names and in the comparison table.
    static var label: String { get }

    /// Creates a probe whose waiter will block until ``wake()``.
    init()

    /// Whether the waiter has begun waiting; it parks within microseconds after this turns `true`.
    var waiterHasStarted: Bool { get }

    /// Blocks the calling thread until ``wake()``.
    func wait()

    /// Wakes the waiter.
    func wake()
}

/// A task suspended on something, and the call that resumes it; measured like ``BlockingWakeProbe``.
protocol AsyncWakeProbe: AnyObject, Sendable {
    /// The probe's name in benchmark names and in the comparison table.
    static var label: String { get }

    /// Creates a probe whose waiter will suspend until ``wake()``.
    init()

    /// Whether the waiter has begun waiting; it is suspended within microseconds after this turns `true`.
    var waiterHasStarted: Bool { get }

    /// Suspends the calling task until ``wake()``.
    func wait() async

    /// Resumes the waiter.
    func wake()
}

/// The reference for blocking waiters: a flag and a pthread condition variable, signalled after unlocking, the
/// least a blocking run-down wait can do.
final class ConditionVariableProbe: BlockingWakeProbe, @unchecked Sendable {
    // `@unchecked Sendable`: `flag` is only touched with `mutex` held.
    static var label: String { "bare condvar signal" }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let flag = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
    private let started = Atomic<Bool>(false)

    init() {
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init")
        precondition(pthread_cond_init(condition, nil) == 0, "pthread_cond_init")
        flag.initialize(to: false)
    }

    deinit {
        precondition(pthread_cond_destroy(condition) == 0, "pthread_cond_destroy")
        precondition(pthread_mutex_destroy(mutex) == 0, "pthread_mutex_destroy")
        flag.deallocate()
        condition.deallocate()
        mutex.deallocate()
    }

    var waiterHasStarted: Bool { started.load(ordering: .acquiring) }

    func wait() {
        precondition(pthread_mutex_lock(mutex) == 0, "pthread_mutex_lock")
        started.store(true, ordering: .releasing)
        while !flag.pointee {
            precondition(pthread_cond_wait(condition, mutex) == 0, "pthread_cond_wait")
        }
        precondition(pthread_mutex_unlock(mutex) == 0, "pthread_mutex_unlock")
    }

    func wake() {
        precondition(pthread_mutex_lock(mutex) == 0, "pthread_mutex_lock")
        flag.pointee = true
        precondition(pthread_mutex_unlock(mutex) == 0, "pthread_mutex_unlock")
        precondition(pthread_cond_signal(condition) == 0, "pthread_cond_signal")
    }
}

/// The reference for async waiters: a checked continuation kept behind a lock and resumed, the least an async
/// run-down wait can do.
final class ContinuationProbe: AsyncWakeProbe {
    static var label: String { "bare continuation resume" }

    private let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let started = Atomic<Bool>(false)

    init() {}

    var waiterHasStarted: Bool { started.load(ordering: .acquiring) }

    func wait() async {
        await withCheckedContinuation { continuation in
            waiter.withLock { $0 = continuation }
            started.store(true, ordering: .releasing)
        }
    }

    func wake() {
        waiter.withLock { $0.take() }!.resume()
    }
}

/// A blocking `waitForRundown()` woken by the last release (`unsafe.release`, the same code a guard's release
/// runs).
final class RundownBlockingProbe<Rundown: BenchmarkedRundown>: BlockingWakeProbe {
    static var label: String { "\(Rundown.benchmarkName) waitForRundown" }

    private let rundown = Rundown()

    init() {
        precondition(rundown.unsafeTryAcquire(count: 1), "acquisition failed on a new object")
    }

    var waiterHasStarted: Bool {
        if case .runningDown = rundown.state { true } else { false }
    }

    func wait() {
        rundown.waitForRundown()
    }

    func wake() {
        rundown.unsafeRelease(count: 1)
    }
}

/// An async `waitForRundown()` resumed by the last release.
final class RundownAsyncProbe<Rundown: BenchmarkedRundown>: AsyncWakeProbe {
    static var label: String { "\(Rundown.benchmarkName) waitForRundown" }

    private let rundown = Rundown()

    init() {
        precondition(rundown.unsafeTryAcquire(count: 1), "acquisition failed on a new object")
    }

    var waiterHasStarted: Bool {
        if case .runningDown = rundown.state { true } else { false }
    }

    func wait() async {
        await rundown.waitForRundown()
    }

    func wake() {
        rundown.unsafeRelease(count: 1)
    }
}
