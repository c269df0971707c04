#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex with one condition variable, for the slow path only.
///
/// pthread rather than `Synchronization.Mutex`: ThreadSanitizer understands pthread primitives and reports false
/// races on a contended `Mutex`. The condition variable measures time on the monotonic clock where the platform
/// allows it, so a timed wait is immune to wall-clock changes.
///
/// Owned by exactly one ``RundownWaiters``, which calls ``destroy()`` in its `deinit`.
struct ConditionLock {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        var mutexAttributes = pthread_mutexattr_t()
        Self.check(pthread_mutexattr_init(&mutexAttributes), "pthread_mutexattr_init")
        #if DEBUG
        Self.check(
            pthread_mutexattr_settype(&mutexAttributes, Int32(PTHREAD_MUTEX_ERRORCHECK)),
            "pthread_mutexattr_settype"
        )
        #endif
        Self.check(pthread_mutex_init(mutex, &mutexAttributes), "pthread_mutex_init")
        Self.check(pthread_mutexattr_destroy(&mutexAttributes), "pthread_mutexattr_destroy")

        var conditionAttributes = pthread_condattr_t()
        Self.check(pthread_condattr_init(&conditionAttributes), "pthread_condattr_init")
        #if !canImport(Darwin)
        Self.check(pthread_condattr_setclock(&conditionAttributes, CLOCK_MONOTONIC), "pthread_condattr_setclock")
        #endif
        Self.check(pthread_cond_init(condition, &conditionAttributes), "pthread_cond_init")
        Self.check(pthread_condattr_destroy(&conditionAttributes), "pthread_condattr_destroy")
    }

    func destroy() {
        Self.check(pthread_cond_destroy(condition), "pthread_cond_destroy")
        Self.check(pthread_mutex_destroy(mutex), "pthread_mutex_destroy")
        condition.deallocate()
        mutex.deallocate()
    }

    func withLock<T: ~Copyable, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        Self.check(pthread_mutex_lock(mutex), "pthread_mutex_lock")
        defer { Self.check(pthread_mutex_unlock(mutex), "pthread_mutex_unlock") }
        return try body()
    }

    /// Waits for ``broadcast()``; the caller holds the lock. May wake spuriously.
    func wait() {
        Self.check(pthread_cond_wait(condition, mutex), "pthread_cond_wait")
    }

    /// Waits for ``broadcast()`` until `deadline`; the caller holds the lock. May wake spuriously.
    /// - Returns: `false` once the deadline has passed.
    func wait(until deadline: MonotonicDeadline) -> Bool {
        #if canImport(Darwin)
        // Darwin's condition variables have no clock attribute; they take a relative timeout.
        var remaining = deadline.remaining
        let result = pthread_cond_timedwait_relative_np(condition, mutex, &remaining)
        #else
        var absolute = deadline.absolute
        let result = pthread_cond_timedwait(condition, mutex, &absolute)
        #endif
        if result == ETIMEDOUT { return false }
        Self.check(result, "pthread_cond_timedwait")
        return true
    }

    /// Wakes every thread waiting on the condition. Needs no lock.
    func broadcast() {
        Self.check(pthread_cond_broadcast(condition), "pthread_cond_broadcast")
    }

    private static func check(_ result: Int32, _ function: StaticString) {
        if result != 0 {
            fatalError("\(function) failed with error \(result)")
        }
    }
}
