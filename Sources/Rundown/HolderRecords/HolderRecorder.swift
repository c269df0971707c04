// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// The holder records of one recording run-down object: where they are (every thread's ``HolderRecordSlab``, marked
/// with this recorder's identity), how one is made and forgotten, and the report made from them.
///
/// Recording a holder takes no lock and makes no system call: the calling thread writes a record into its own slab
/// (found with one thread-specific read) with a few plain stores, stamped with the coarse monotonic clock, its
/// thread's id (read once per thread) and its task's address and name (the name read once per task switch on the
/// thread). Forgetting it is one store. A report reads every slab and keeps this recorder's records.
final class HolderRecorder: Sendable {
    /// The object's name (given at `init`), or its kind and identity: what a process-wide report calls it.
    let objectName: String?

    /// What kind of object records (`RundownRef`, ...), for a process-wide report of unnamed objects.
    let objectKind: String

    /// Whether an unguarded holder was ever recorded (only those can outlive the object, and `deinit` then looks for
    /// them).
    let hadUnguardedHolders = Atomic<Bool>(false)

    init(objectName: String?, objectKind: String) {
        self.objectName = objectName
        self.objectKind = objectKind
        RecordingObjects.register(identity: identity, name: displayName)
    }

    deinit {
        // Records a holder never released (an unguarded pair left open; every other holder keeps the object alive or
        // borrows it) would otherwise stay, marked with an identity that a later recorder may reuse.
        guard hadUnguardedHolders.load(ordering: .acquiring) else {
            RecordingObjects.unregister(identity)
            return
        }
        for slab in HolderRecordSlabs.all {
            for record in slab.snapshot(owners: { $0 == identity }) {
                _ = HolderRecordSlab.free(record.token, ifHeaderIs: record.header)
            }
        }
        RecordingObjects.unregister(identity)
    }

    /// What the records of this recorder are marked with: its address, unique while it lives.
    var identity: UInt { UInt(bitPattern: ObjectIdentifier(self)) }

    /// The name a process-wide report shows for the object.
    var displayName: String {
        objectName ?? "\(objectKind) #\(String(UInt32(truncatingIfNeeded: identity >> 4), radix: 16))"
    }

    /// Records an acquisition of `units` at `site` by the calling thread or task, for the recorder whose identity is
    /// `owner`. No lock, no system call, no retain: the calling thread's slab, found with one thread-specific read.
    static func add(site: HolderSite, units: UInt64, kind: HolderKind, owner: UInt) -> HolderToken {
        let task = TaskIdentity.current
        let now = Platform.coarseMonotonicNanoseconds()
        return HolderRecordSlabs.withCurrent { head in
            let record = NewHolderRecord(
                owner: owner,
                site: site,
                thread: head.ownerThread.load(ordering: .relaxed),
                task: task,
                acquiredAt: now,
                units: units,
                kind: kind,
                order: head.nextOrder()
            )
            return head.write(record) ?? addToChain(after: head, record)
        }
    }

    /// The calling thread's first slab is full: the record goes into the next slab of its chain, allocated if needed.
    @inline(never)
    private static func addToChain(after head: HolderRecordSlab, _ record: NewHolderRecord) -> HolderToken {
        var slab = head
        while true {
            slab = slab.next.load() ?? slab.next.storeIfNil(HolderRecordSlabs.makeChained(for: ThreadIdentity.current))
            if let token = slab.write(record) { return token }
        }
    }

    /// Forgets an unguarded acquisition of `units` of the recorder `owner`: the newest unguarded one of the calling
    /// thread if it has one, otherwise the newest unguarded one of that size (an unguarded release cannot say which
    /// acquisition it ends). Records of guards and scopes are never taken: their own releases forget them.
    static func removeUnguarded(units: UInt64, owner: UInt) {
        let matches: (HolderRecord) -> Bool = { $0.kind == .unguarded && $0.units == units }
        // Usually the release runs on the thread that acquired: its own slabs first, then every slab.
        while let newest = HolderRecordSlabs.withCurrent({ head in
            let thread = head.ownerThread.load(ordering: .relaxed)
            var records: [HolderRecord] = []
            var slab: HolderRecordSlab? = head
            while let current = slab {
                records += current.snapshot(owners: { $0 == owner }).filter { matches($0) && $0.thread == thread }
                slab = current.next.load()
            }
            return records.max(by: isOlder)
        }) ?? records(of: owner).filter(matches).max(by: isOlder) {
            // Another unguarded release may take the same record at the same time: the one whose exchange wins
            // frees it, the other looks again.
            if HolderRecordSlab.free(newest.token, ifHeaderIs: newest.header) { return }
        }
    }

    /// The records of the recorder `owner`, in no order.
    private static func records(of owner: UInt) -> [HolderRecord] {
        HolderRecordSlabs.all.flatMap { $0.snapshot(owners: { $0 == owner }) }
    }

    /// This recorder's records, in no order.
    private func records() -> [HolderRecord] {
        Self.records(of: identity)
    }

    /// The number of recorded acquisitions, for leak checks.
    var count: Int { records().count }

    /// The outstanding holders, oldest first.
    func holders() -> [RundownHolderReport.Holder] {
        Self.holders(of: records(), objectName: objectName) { _ in objectName }
    }

    /// Whether `first` acquired before `second`: by the coarse clock, then (within one tick) by thread and by the
    /// thread's own order.
    static func isOlder(_ first: HolderRecord, _ second: HolderRecord) -> Bool {
        (first.acquiredAt, first.thread, first.order) < (second.acquiredAt, second.thread, second.order)
    }

    /// Reports of `records`, oldest first; `name` gives each record's object name.
    static func holders(
        of records: [HolderRecord],
        objectName: String?,
        name: (HolderRecord) -> String?
    ) -> [RundownHolderReport.Holder] {
        let now = Platform.monotonicNanoseconds()
        let reportedAt = ContinuousClock.now
        var threadNames = ThreadNames()
        return records.sorted(by: isOlder).map { record in
            RundownHolderReport.Holder(
                fileID: record.site.fileID,
                line: record.site.line,
                function: record.site.functionName,
                thread: ThreadIdentity.describe(id: record.thread, name: threadNames.name(of: record.thread)),
                taskName: record.taskName,
                inTask: record.task != 0,
                taskID: record.task != 0 ? record.task : nil,
                acquiredAt: reportedAt.advanced(by: .nanoseconds(min(record.acquiredAt - now, 0))),
                count: Int(record.units / RundownWord.holderUnit),
                isCancellable: record.kind == .cancellable,
                objectName: name(record)
            )
        }
    }
}

/// The names of threads, as a report shows them: read now where the platform can (Linux), else as the thread's slab
/// remembers it; each thread's once per report.
private struct ThreadNames {
    private var known: [UInt64: String?] = [:]
    private var remembered: [UInt64: String]?

    mutating func name(of thread: UInt64) -> String? {
        if let name = known[thread] { return name }
        let name = Platform.threadName(ofThread: thread) ?? rememberedName(of: thread)
        known[thread] = name
        return name
    }

    private mutating func rememberedName(of thread: UInt64) -> String? {
        if remembered == nil {
            remembered = Dictionary(
                HolderRecordSlabs.all.map { ($0.ownerThread.load(ordering: .relaxed), $0.ownerThreadName) },
                uniquingKeysWith: { first, _ in first }
            )
        }
        return remembered?[thread]
    }
}
