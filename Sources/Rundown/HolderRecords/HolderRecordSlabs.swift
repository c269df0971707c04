// SPDX-License-Identifier: Apache-2.0
import CRundownSupport

/// Every thread's ``HolderRecordSlab``: the calling thread's own, found through a thread-specific value, and the list
/// of all of them that reports read.
///
/// A thread gets its slab the first time it records a holder: it adopts one that an exited thread left (its records
/// still in use stay valid) or allocates a new one, and registers it, under the list's lock, once in its life. From
/// then on recording finds the slab with one thread-local read. When the thread exits, its slab goes back to the
/// list for the next new thread. The number of slabs is the largest number of threads that recorded at the same time.
enum HolderRecordSlabs {
    /// Every slab (also those of threads that exited) and the slabs free for adoption.
    private struct List: Sendable {
        var all: [HolderRecordSlab] = []
        var orphaned: [HolderRecordSlab] = []
    }

    private static let list = ConditionLock(List())

    /// Runs `body` with the calling thread's slab (the first of its chain), which the thread keeps alive, without
    /// retaining it.
    @inline(__always)
    static func withCurrent<Result>(_ body: (HolderRecordSlab) -> Result) -> Result {
        let value = c_rundown_thread_slab() ?? attach()
        return Unmanaged<HolderRecordSlab>.fromOpaque(value)._withUnsafeGuaranteedRef(body)
    }

    /// Every slab, for a report to read.
    static var all: [HolderRecordSlab] { list.withLock { $0.all } }

    /// A further slab for a thread whose slabs are full, registered like the first.
    static func makeChained(for thread: ThreadIdentity) -> HolderRecordSlab {
        let slab = HolderRecordSlab(ownerThread: thread)
        list.withLock { $0.all.append(slab) }
        return slab
    }

    /// Gives the calling thread a slab, an orphaned one or a new one, and returns its address.
    @inline(never)
    private static func attach() -> UnsafeMutableRawPointer {
        let thread = ThreadIdentity.current
        let slab = list.withLock { list -> HolderRecordSlab in
            if let orphan = list.orphaned.popLast() { return orphan }
            let slab = HolderRecordSlab(ownerThread: thread)
            list.all.append(slab)
            return slab
        }
        slab.adopt(by: thread)
        let value = Unmanaged.passRetained(slab).toOpaque()
        let result = c_rundown_set_thread_slab(value) { exited in
            HolderRecordSlabs.threadExited(Unmanaged<HolderRecordSlab>.fromOpaque(exited).takeRetainedValue())
        }
        guard result == 0 else { fatalError("pthread_setspecific failed with error \(result)") }
        return value
    }

    /// A thread that had a slab exits: the slab (and its chain) wait for the next thread.
    private static func threadExited(_ slab: HolderRecordSlab) {
        list.withLock { $0.orphaned.append(slab) }
    }
}
