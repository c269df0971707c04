// SPDX-License-Identifier: Apache-2.0
import Dispatch
import Synchronization

/// Hand-rolled run-down protection with Dispatch: holders `enter()` and `leave()` a `DispatchGroup`, an atomic flag
/// closes it, and run-down sets the flag and calls `wait()`.
///
/// The flag is checked again after `enter()`: without that second check, a holder that read "open" just before
/// run-down began could enter after `wait()` returned.
final class DispatchGroupRundown: SyncRundownContender {
    static var label: String { "DispatchGroup+atomic flag" }

    private let group = DispatchGroup()
    private let closed = Atomic<Bool>(false)

    init() {}

    @inline(__always)
    func tryAcquire() -> Bool {
        if closed.load(ordering: .acquiring) { return false }
        group.enter()
        if closed.load(ordering: .sequentiallyConsistent) {
            group.leave()
            return false
        }
        return true
    }

    @inline(__always)
    func release() {
        group.leave()
    }

    @inline(__always)
    func protectedNoOp() {
        guard tryAcquire() else { acquisitionFailed(Self.label) }
        release()
    }

    func runDown() {
        closed.store(true, ordering: .sequentiallyConsistent)
        group.wait()
    }

    func canAcquire() -> Bool {
        guard tryAcquire() else { return false }
        release()
        return true
    }
}
