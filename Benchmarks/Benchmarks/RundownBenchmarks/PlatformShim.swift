// SPDX-License-Identifier: Apache-2.0
// The benchmarks' one door to the C library: re-exported to the whole target, so that no other file imports Glibc,
// Musl or Darwin itself (`Scripts/check-portability.sh` checks). The pthread contenders use it directly.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#else
#error("the benchmarks support Linux (glibc or musl) and Apple platforms; add a branch to PlatformShim.swift")
#endif

/// Nanoseconds on the monotonic clock; comparable across threads.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Sleeps the calling thread for about `microseconds`.
func sleepMicroseconds(_ microseconds: Int) {
    var request = timespec(tv_sec: time_t(microseconds / 1_000_000), tv_nsec: (microseconds % 1_000_000) * 1_000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 {
        request = remaining
    }
}

/// Makes read-write locks created with `attributes` prefer writers where the platform lets a program choose, so
/// that a waiting writer (a run-down) stops new readers.
func preferWriters(_ attributes: UnsafeMutablePointer<pthread_rwlockattr_t>) {
    #if canImport(Glibc)
    let result = pthread_rwlockattr_setkind_np(attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
    precondition(result == 0, "pthread_rwlockattr_setkind_np failed: \(result)")
    #elseif canImport(Musl)
    // musl has no lock-kind attribute; its default is what the benchmark gets.
    #elseif canImport(Darwin)
    // Darwin has no lock-kind attribute; its default is what the benchmark gets.
    #else
    #error("unsupported platform")
    #endif
}
