// SPDX-License-Identifier: Apache-2.0
/// Nanoseconds on the system's monotonic clock (`CLOCK_MONOTONIC`), the clock every process on the machine shares:
/// the end-to-end test compares the server's timestamps with its own.
enum MonotonicClock {
    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
