// SPDX-License-Identifier: Apache-2.0
import CRundownSupport

/// The Swift side of the C support target: which processor the calling thread runs on.
@usableFromInline
enum CurrentProcessor {
    /// The processor the calling thread runs on, for picking a per-CPU slot; a hint only, since the thread may
    /// migrate right after the call.
    ///
    /// Linux: `sched_getcpu()` (glibc and musl; a vDSO call on glibc); Darwin: `pthread_cpu_number_np`; `-1` if
    /// the platform cannot tell. See `CRundownSupport.h`.
    @inlinable
    static var index: Int { Int(c_rundown_current_cpu()) }
}
