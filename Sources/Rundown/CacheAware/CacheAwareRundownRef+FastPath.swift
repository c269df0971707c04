// SPDX-License-Identifier: Apache-2.0
import CRundownSupport

extension CacheAwareRundownRef {
    /// How a ``CacheAwareRundownRef`` counts its holders: decided once per process, the first time the library
    /// loads, and the same for every instance.
    public enum FastPath: Sendable, Equatable, CustomStringConvertible {
        /// Restartable sequences (rseq): acquire and release add to the current CPU's slot with a plain, unlocked
        /// add, inside a critical section the kernel restarts if the thread is preempted or migrated before the
        /// add; beginning run-down issues `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ)`. Linux with glibc 2.35
        /// or later (which registers an rseq area for every thread), on x86-64 and aarch64.
        case restartableSequences

        /// Atomic slots: one atomic read-modify-write on the caller's slot per acquire and per release. Used
        /// wherever restartable sequences are not available, for the `reason` given: Apple platforms, musl, glibc
        /// before 2.35, `GLIBC_TUNABLES=glibc.pthread.rseq=0`, valgrind, seccomp filters that refuse `rseq` or
        /// `membarrier`, kernels before 5.10, ThreadSanitizer builds (ThreadSanitizer cannot see the ordering a
        /// membarrier gives), or `RUNDOWN_DISABLE_RSEQ=1` in the environment.
        case atomicSlots(reason: String)

        /// The path in words, with the reason for the atomic slots.
        public var description: String {
            switch self {
            case .restartableSequences: "restartable sequences"
            case .atomicSlots(let reason): "atomic slots (\(reason))"
            }
        }
    }

    /// The fast path every instance in this process uses.
    public static let processFastPath: FastPath = {
        var reason: UnsafePointer<CChar>?
        let usable = c_rundown_rseq_status(&reason) != 0
        if usable { return .restartableSequences }
        return .atomicSlots(reason: reason.map { String(cString: $0) } ?? "unknown")
    }()

    /// The fast path this instance uses: ``processFastPath``, unless a test forced the atomic slots. An instance that
    /// records its holders counts them on the same path, and records each out of line.
    public var fastPath: FastPath {
        storage.mode.usesRestartableSequences ? .restartableSequences : Self.processFastPath.asAtomicSlots
    }

    /// The number of restartable sequences of this library that the kernel aborted and that restarted, in this
    /// process; zero on the atomic-slot path. A test hook, kept for existing callers: use
    /// `restartedSequences` (`@_spi(Testing)`).
    @available(*, deprecated, message: "a test hook: use restartedSequences through @_spi(Testing) import Rundown")
    public static var restartedSequenceCount: UInt64 { restartedSequences }

    /// The number of restartable sequences of this library that the kernel aborted and that restarted, in this
    /// process; zero on the atomic-slot path. For tests and soaks that show restarts happen.
    @_spi(Testing)
    public static var restartedSequences: UInt64 { c_rundown_rseq_abort_count() }
}

extension CacheAwareRundownRef.FastPath {
    /// This path as atomic slots: itself if it is, otherwise "forced by a test".
    fileprivate var asAtomicSlots: Self {
        if case .atomicSlots = self { return self }
        return .atomicSlots(reason: "forced for this instance")
    }
}
