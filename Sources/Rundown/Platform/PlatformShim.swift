// SPDX-License-Identifier: Apache-2.0
// The library's one door to the C library: every platform call goes through `Platform`, and this is the only file
// that imports Glibc, Musl or Darwin (`Scripts/check-portability.sh` checks both). An unknown platform stops the
// build here instead of failing somewhere else with a confusing error.
import CRundownSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#else
#error("swift-rundown supports Linux (glibc or musl) and Apple platforms; add a branch to PlatformShim.swift")
#endif

/// The platform calls the library makes, as one caseless namespace.
///
/// Every call checks its result and traps with the function's name on an unexpected error: these calls fail only
/// on a corrupted or misused primitive, and continuing would turn that into a deadlock or a lost wake-up.
enum Platform {
    /// The mutex primitive of ``ConditionLock``.
    typealias Mutex = pthread_mutex_t

    /// The condition variable primitive of ``ConditionLock``.
    typealias Condition = pthread_cond_t

    /// Initializes a mutex: error-checking in debug builds, so that a locking mistake traps instead of deadlocking.
    static func initialize(_ mutex: UnsafeMutablePointer<Mutex>) {
        var attributes = pthread_mutexattr_t()
        check(pthread_mutexattr_init(&attributes), "pthread_mutexattr_init")
        #if DEBUG
        check(pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ERRORCHECK)), "pthread_mutexattr_settype")
        #endif
        check(pthread_mutex_init(mutex, &attributes), "pthread_mutex_init")
        check(pthread_mutexattr_destroy(&attributes), "pthread_mutexattr_destroy")
    }

    /// Initializes a condition variable whose timed waits follow ``monotonicNanoseconds()``: on Linux by the
    /// `CLOCK_MONOTONIC` attribute; Darwin has no such attribute and waits a relative time instead (see
    /// ``wait(_:_:untilNanoseconds:)``).
    static func initialize(_ condition: UnsafeMutablePointer<Condition>) {
        var attributes = pthread_condattr_t()
        check(pthread_condattr_init(&attributes), "pthread_condattr_init")
        #if canImport(Glibc) || canImport(Musl)
        check(pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC), "pthread_condattr_setclock")
        #elseif canImport(Darwin)
        // Darwin has no pthread_condattr_setclock; timed waits are relative (pthread_cond_timedwait_relative_np).
        #else
        #error("unsupported platform")
        #endif
        check(pthread_cond_init(condition, &attributes), "pthread_cond_init")
        check(pthread_condattr_destroy(&attributes), "pthread_condattr_destroy")
    }

    static func destroy(_ mutex: UnsafeMutablePointer<Mutex>) {
        check(pthread_mutex_destroy(mutex), "pthread_mutex_destroy")
    }

    static func destroy(_ condition: UnsafeMutablePointer<Condition>) {
        check(pthread_cond_destroy(condition), "pthread_cond_destroy")
    }

    static func lock(_ mutex: UnsafeMutablePointer<Mutex>) {
        check(pthread_mutex_lock(mutex), "pthread_mutex_lock")
    }

    static func unlock(_ mutex: UnsafeMutablePointer<Mutex>) {
        check(pthread_mutex_unlock(mutex), "pthread_mutex_unlock")
    }

    /// Waits on `condition`; the caller holds `mutex`. May wake spuriously.
    static func wait(_ condition: UnsafeMutablePointer<Condition>, _ mutex: UnsafeMutablePointer<Mutex>) {
        check(pthread_cond_wait(condition, mutex), "pthread_cond_wait")
    }

    /// Waits on `condition` until the monotonic clock reads `deadline` (nanoseconds); the caller holds `mutex`.
    /// May wake spuriously.
    /// - Returns: `false` once the deadline has passed.
    static func wait(
        _ condition: UnsafeMutablePointer<Condition>,
        _ mutex: UnsafeMutablePointer<Mutex>,
        untilNanoseconds deadline: Int64
    ) -> Bool {
        #if canImport(Glibc) || canImport(Musl)
        var absolute = timespec(nanoseconds: deadline)
        let result = pthread_cond_timedwait(condition, mutex, &absolute)
        #elseif canImport(Darwin)
        var remaining = timespec(nanoseconds: max(deadline - monotonicNanoseconds(), 0))
        let result = pthread_cond_timedwait_relative_np(condition, mutex, &remaining)
        #else
        #error("unsupported platform")
        #endif
        if result == ETIMEDOUT { return false }
        check(result, "pthread_cond_timedwait")
        return true
    }

    /// Wakes every thread waiting on `condition`. Needs no lock.
    static func broadcast(_ condition: UnsafeMutablePointer<Condition>) {
        check(pthread_cond_broadcast(condition), "pthread_cond_broadcast")
    }

    /// The clock of every deadline of the library, in nanoseconds: a monotonic clock that stands still while the
    /// system sleeps, the clock the blocking timed wait follows on each platform. Linux: `CLOCK_MONOTONIC` (which
    /// does not count suspend), the clock the condition variables are set to. Darwin: `CLOCK_UPTIME_RAW`, the clock
    /// of `pthread_cond_timedwait_relative_np`'s relative timeout (Darwin's `CLOCK_MONOTONIC` counts sleep, so a
    /// deadline on it would drift from the wait across a system sleep). 64-bit on every platform, also where `Int`
    /// is 32 bits wide (watchOS on arm64_32).
    static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        #if canImport(Glibc) || canImport(Musl)
        check(clock_gettime(CLOCK_MONOTONIC, &now), "clock_gettime")
        #elseif canImport(Darwin)
        check(clock_gettime(CLOCK_UPTIME_RAW, &now), "clock_gettime")
        #else
        #error("unsupported platform")
        #endif
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// The monotonic clock of ``monotonicNanoseconds()`` at the resolution of the scheduler's tick (a few
    /// milliseconds) for a fraction of the cost: what holder records stamp their age with. Linux:
    /// `CLOCK_MONOTONIC_COARSE`; Darwin: `CLOCK_UPTIME_RAW_APPROX`.
    static func coarseMonotonicNanoseconds() -> Int64 {
        #if canImport(Glibc) || canImport(Musl)
        var now = timespec()
        check(clock_gettime(CLOCK_MONOTONIC_COARSE, &now), "clock_gettime")
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        #elseif canImport(Darwin)
        return Int64(truncatingIfNeeded: clock_gettime_nsec_np(CLOCK_UPTIME_RAW_APPROX))
        #else
        #error("unsupported platform")
        #endif
    }

    /// The current name of the thread whose id (``CRundownSupport``'s `c_rundown_thread_id`) is `id`, read now, where
    /// the platform can tell for another thread: Linux reads `/proc/self/task/<id>/comm`. `nil` where it cannot
    /// (Darwin), or if the thread has exited.
    static func threadName(ofThread id: UInt64) -> String? {
        #if canImport(Glibc) || canImport(Musl)
        let descriptor = open("/proc/self/task/\(id)/comm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { _ = close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: bytes[..<count].prefix { $0 != 0x0A }, as: UTF8.self)
        #elseif canImport(Darwin)
        return nil
        #else
        #error("unsupported platform")
        #endif
    }

    /// The number of processors the system is configured with (at least 1).
    static var processorCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_CONF))))
    }

    /// Gives the processor to another thread: used only where a thread must wait for a few instructions of another
    /// thread that may have been preempted.
    static func yieldThread() {
        _ = sched_yield()
    }

    /// Starts a detached thread named `name` running `body` (for the library's one timer thread).
    static func startDetachedThread(named name: StaticString, _ body: @escaping @Sendable () -> Void) {
        final class Start: Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let context = Unmanaged.passRetained(Start(body)).toOpaque()
        let result = name.withUTF8Buffer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { name in
                c_rundown_start_detached_thread(
                    { context in Unmanaged<Start>.fromOpaque(context!).takeRetainedValue().body() },
                    context,
                    name.baseAddress!
                )
            }
        }
        check(result, "pthread_create")
    }

    private static func check(_ result: Int32, _ function: StaticString) {
        if result != 0 {
            fatalError("\(function) failed with error \(result)")
        }
    }
}

extension timespec {
    /// `nanoseconds` (not negative) split into seconds and nanoseconds.
    fileprivate init(nanoseconds: Int64) {
        self.init(tv_sec: time_t(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }
}
