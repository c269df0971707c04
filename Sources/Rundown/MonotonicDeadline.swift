#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time on the monotonic clock, as the condition variable of ``ConditionLock`` wants it.
struct MonotonicDeadline {
    /// Nanoseconds since the monotonic clock's epoch, saturating.
    let nanoseconds: Int

    /// The deadline `timeout` from now; a negative timeout is treated as zero.
    init(fromNow timeout: Duration) {
        let (seconds, attoseconds) = max(timeout, .zero).components
        let (scaled, overflow) = Int(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let delay = overflow ? Int.max : scaled.addingSaturating(Int(attoseconds / 1_000_000_000))
        nanoseconds = Self.now().addingSaturating(delay)
    }

    /// The deadline as an absolute `timespec` on `CLOCK_MONOTONIC`.
    var absolute: timespec { Self.split(nanoseconds) }

    /// What remains until the deadline, as a relative `timespec` (zero once it has passed).
    var remaining: timespec { Self.split(max(nanoseconds - Self.now(), 0)) }

    fileprivate static func now() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int(now.tv_sec) * 1_000_000_000 + Int(now.tv_nsec)
    }

    private static func split(_ nanoseconds: Int) -> timespec {
        timespec(tv_sec: nanoseconds / 1_000_000_000, tv_nsec: nanoseconds % 1_000_000_000)
    }
}

extension Int {
    fileprivate func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}

extension MonotonicDeadline {
    /// Whether the deadline is now or in the past.
    var hasPassed: Bool { nanoseconds <= Self.now() }
}
