// SPDX-License-Identifier: Apache-2.0

/// A point in time on the monotonic clock, the clock that blocking waits measure their timeouts on, so that a
/// timed wait is immune to wall-clock changes.
struct MonotonicDeadline: Sendable {
    /// Nanoseconds since the monotonic clock's epoch, saturating at `Int64.max` ("never").
    let nanoseconds: Int64

    /// The deadline `timeout` from now; a negative timeout is treated as zero.
    init(fromNow timeout: Duration) {
        let (seconds, attoseconds) = max(timeout, .zero).components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let delay = overflow ? Int64.max : scaled.addingSaturating(attoseconds / 1_000_000_000)
        nanoseconds = Platform.monotonicNanoseconds().addingSaturating(delay)
    }

    /// Whether the deadline is now or in the past.
    var hasPassed: Bool { nanoseconds <= Platform.monotonicNanoseconds() }

    /// What remains until the deadline (zero once it has passed).
    var remaining: Duration { .nanoseconds(max(nanoseconds - Platform.monotonicNanoseconds(), 0)) }
}

extension Int64 {
    fileprivate func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
