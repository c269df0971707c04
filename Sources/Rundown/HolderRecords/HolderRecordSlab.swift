// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// One thread's holder records: a fixed block of records in raw memory that the thread writes without a lock, and
/// that reports read from any thread.
///
/// Every thread that records a holder gets a slab of its own (``HolderRecordSlabs``), so recording is a few plain
/// stores into memory no other thread writes: no lock, no shared counter, no allocation once the slab exists. A record
/// is a seqlock: its header word says whether it is free, being written or in use, and carries a sequence number that
/// changes whenever the record is written or freed. The owning thread claims a free record, marks it "writing",
/// stores the fields (*releasing*), and marks it used (*releasing*): the record is visible before the acquisition
/// returns. Any thread frees it (the holder's release may run elsewhere) with one releasing store of the header. A
/// reader copies a used record's fields with acquiring loads and keeps the copy only if the header did not change
/// meanwhile, so it never reports a half-written record or one that was reused while it read.
///
/// Only the owning thread claims records; when it exits, the slab goes back to ``HolderRecordSlabs`` with the records
/// still in use (a guard sent to another thread may outlive its thread) and a new thread adopts it.
final class HolderRecordSlab: @unchecked Sendable {
    // `@unchecked Sendable`: `words` is raw memory accessed only through the `Atomic`s bound in it, each record's fields
    // written only by the owning thread between its header's "writing" and "used" stores (and freed by one header
    // store from any thread); `next` and the caches are atomics too.

    /// Records per slab.
    @inline(__always)
    static var capacity: Int { 64 }

    /// Where each field of a record is, in words from the record's start.
    enum Field: Int, CaseIterable {
        /// The sequence number (bits 2...63) and the state (bits 0...1: ``State``).
        case header
        /// The identity of the recorder the holder acquired on (``HolderRecorder/identity``).
        case owner
        /// ``HolderSite``'s three words.
        case file, function, sitePacked
        /// The acquiring thread's id.
        case thread
        /// The acquiring task's address, zero outside a task.
        case task
        /// When the holder acquired: ``Platform/coarseMonotonicNanoseconds()``.
        case acquiredAt
        /// The holder's units.
        case units
        /// ``HolderKind`` (bits 0...7), the task name's length (bits 8...15), and the owning thread's sequence number
        /// of the record (bits 16...63), which orders records of one thread.
        case attributes
        /// The first of the words that hold the task name's bytes.
        case taskName
    }

    /// The bytes of a task name a record keeps; longer names are cut at a character boundary.
    @inline(__always)
    static var taskNameCapacity: Int { 48 }

    /// Words per record: the fields and the task name.
    @inline(__always)
    static var recordWords: Int { Field.taskName.rawValue + taskNameCapacity / 8 }

    /// A record's state.
    enum State: UInt64 {
        case free = 0
        case writing = 1
        case used = 2
    }

    /// The records, `capacity * recordWords` atomic words.
    private let words: UnsafeMutablePointer<Atomic<UInt64>>

    /// Where the owning thread looks for a free record first (owning thread only).
    private let hint = Atomic<Int>(0)

    /// The owning thread's count of records written, which orders its records (kept by the first slab of a chain).
    private let written = Atomic<UInt64>(0)

    /// The next number in the owning thread's order of records (owning thread only: a load and a store, no
    /// read-modify-write).
    @inline(__always)
    func nextOrder() -> UInt64 {
        let next = written.load(ordering: .relaxed) &+ 1
        written.store(next, ordering: .relaxed)
        return next
    }

    /// The next slab of the same thread, when this one is full.
    let next = AtomicLazyReference<HolderRecordSlab>()

    /// The thread that owns the slab, and its name when it adopted it (what reports show where the platform cannot
    /// read another thread's name).
    let ownerThread: Atomic<UInt64>
    private let ownerName = ConditionLock<String>("")

    /// The owning thread's last task and its name bytes (a cache, so that a task's name is read once per task switch
    /// on this thread rather than for every record).
    private let lastTask = Atomic<UInt>(0)
    private let lastTaskName = UnsafeMutablePointer<UInt8>.allocate(capacity: HolderRecordSlab.taskNameCapacity + 1)

    init(ownerThread: ThreadIdentity) {
        let count = Self.capacity * Self.recordWords
        words = .allocate(capacity: count)
        for index in 0..<count { (words + index).initialize(to: Atomic(0)) }
        self.ownerThread = Atomic(ownerThread.id)
        ownerName.withLock { $0 = ownerThread.name }
        lastTaskName.initialize(repeating: 0, count: Self.taskNameCapacity + 1)
    }

    deinit {
        words.deinitialize(count: Self.capacity * Self.recordWords)
        words.deallocate()
        lastTaskName.deallocate()
    }

    /// A new owner adopts the slab and its chain (the previous owner exited).
    func adopt(by thread: ThreadIdentity) {
        ownerThread.store(thread.id, ordering: .relaxed)
        ownerName.withLock { $0 = thread.name }
        lastTask.store(0, ordering: .relaxed)
        next.load()?.adopt(by: thread)
    }

    /// The owning thread's name as it was when the thread took the slab.
    var ownerThreadName: String { ownerName.withLock { $0 } }

    @inline(__always)
    private func word(_ record: Int, _ field: Field) -> UnsafeMutablePointer<Atomic<UInt64>> {
        words + (record * Self.recordWords + field.rawValue)
    }

    /// The token of record `index` of this slab: its header's address (never zero).
    @inline(__always)
    func token(of index: Int) -> HolderToken {
        HolderToken(rawValue: UInt64(UInt(bitPattern: word(index, .header))))
    }

    // MARK: The owning thread

    /// Writes a record of the calling (owning) thread; `nil` if every record of the slab is in use.
    func write(_ new: NewHolderRecord) -> HolderToken? {
        let start = hint.load(ordering: .relaxed)
        for offset in 0..<Self.capacity {
            let index = (start + offset) & (Self.capacity - 1)
            let header = word(index, .header)
            let old = header.pointee.load(ordering: .acquiring)
            guard old & 3 == State.free.rawValue else { continue }
            let sequence = (old >> 2) &+ 1
            header.pointee.store(sequence << 2 | State.writing.rawValue, ordering: .relaxed)
            let nameLength = new.task.map { copyTaskName(of: $0, into: index) } ?? 0
            store(index, .owner, UInt64(new.owner))
            store(index, .file, UInt64(new.site.file))
            store(index, .function, UInt64(new.site.function))
            store(index, .sitePacked, new.site.packed)
            store(index, .thread, new.thread)
            store(index, .task, UInt64(UInt(bitPattern: new.task)))
            store(index, .acquiredAt, UInt64(bitPattern: new.acquiredAt))
            store(index, .units, new.units)
            store(index, .attributes, UInt64(new.kind.rawValue) | UInt64(nameLength) << 8 | new.order << 16)
            header.pointee.store((sequence &+ 1) << 2 | State.used.rawValue, ordering: .releasing)
            hint.store((index + 1) & (Self.capacity - 1), ordering: .relaxed)
            return token(of: index)
        }
        return nil
    }

    @inline(__always)
    private func store(_ record: Int, _ field: Field, _ value: UInt64) {
        word(record, field).pointee.store(value, ordering: .releasing)
    }

    /// Copies the name of `task` (the calling thread's current task) into record `index`; reads `Task.name` only when
    /// the task differs from this thread's last one. Returns the name's length.
    private func copyTaskName(of task: UnsafeRawPointer, into index: Int) -> Int {
        let address = UInt(bitPattern: task)
        if lastTask.load(ordering: .relaxed) != address {
            TaskIdentity.copyCurrentName(into: lastTaskName, capacity: Self.taskNameCapacity)
            lastTask.store(address, ordering: .relaxed)
        }
        let length = Int(lastTaskName[Self.taskNameCapacity])
        var chunk = 0
        while chunk * 8 < length {
            let bytes = UnsafeRawPointer(lastTaskName + chunk * 8).loadUnaligned(as: UInt64.self)
            word(index, .taskName).advanced(by: chunk).pointee.store(bytes, ordering: .releasing)
            chunk += 1
        }
        return length
    }

    // MARK: Any thread

    /// Frees the record whose header is at `token`, unless it is no longer the same record (a stale token).
    static func free(_ token: HolderToken) {
        let header = UnsafeMutablePointer<Atomic<UInt64>>(bitPattern: UInt(token.rawValue))!
        let old = header.pointee.load(ordering: .relaxed)
        guard old & 3 == State.used.rawValue else {
            RundownMisuse.report("a holder record was released twice or was never written (header \(old))")
        }
        header.pointee.store(((old >> 2) &+ 1) << 2 | State.free.rawValue, ordering: .releasing)
    }

    /// Frees the record whose header is at `token` if it is still `expected` (so that two threads cannot free one
    /// record); `false` if it changed.
    static func free(_ token: HolderToken, ifHeaderIs expected: UInt64) -> Bool {
        let header = UnsafeMutablePointer<Atomic<UInt64>>(bitPattern: UInt(token.rawValue))!
        let freed = ((expected >> 2) &+ 1) << 2 | State.free.rawValue
        return header.pointee.compareExchange(
            expected: expected,
            desired: freed,
            successOrdering: .acquiringAndReleasing,
            failureOrdering: .relaxed
        ).exchanged
    }

    /// A consistent copy of every record in use whose owner is accepted by `owners` (`nil`: every owner).
    func snapshot(owners: (UInt) -> Bool) -> [HolderRecord] {
        var records: [HolderRecord] = []
        for index in 0..<Self.capacity {
            let header = word(index, .header)
            let before = header.pointee.load(ordering: .acquiring)
            guard before & 3 == State.used.rawValue else { continue }
            let owner = UInt(load(index, .owner))
            guard owners(owner) else { continue }
            let record = read(index, owner: owner, header: before)
            guard header.pointee.load(ordering: .acquiring) == before else { continue }
            records.append(record)
        }
        return records
    }

    @inline(__always)
    private func load(_ record: Int, _ field: Field) -> UInt64 {
        word(record, field).pointee.load(ordering: .acquiring)
    }

    private func read(_ index: Int, owner: UInt, header: UInt64) -> HolderRecord {
        let attributes = load(index, .attributes)
        let nameLength = Int(attributes >> 8 & 0xFF)
        var nameBytes: [UInt8] = []
        if nameLength > 0 {
            var chunk = 0
            while chunk * 8 < nameLength {
                withUnsafeBytes(of: word(index, .taskName).advanced(by: chunk).pointee.load(ordering: .acquiring)) {
                    nameBytes.append(contentsOf: $0)
                }
                chunk += 1
            }
        }
        return HolderRecord(
            token: token(of: index),
            header: header,
            owner: owner,
            site: HolderSite(
                file: UInt(load(index, .file)),
                function: UInt(load(index, .function)),
                packed: load(index, .sitePacked)
            ),
            thread: load(index, .thread),
            task: UInt(load(index, .task)),
            taskName: nameLength > 0 ? String(decoding: nameBytes.prefix(nameLength), as: UTF8.self) : nil,
            acquiredAt: Int64(bitPattern: load(index, .acquiredAt)),
            units: load(index, .units),
            kind: HolderKind(rawValue: UInt8(truncatingIfNeeded: attributes)) ?? .scoped,
            order: attributes >> 16
        )
    }
}

/// What a new holder record says: written by the acquiring thread into its own slab.
struct NewHolderRecord {
    /// The recorder's identity (``HolderRecorder/identity``).
    let owner: UInt
    let site: HolderSite
    /// The acquiring thread's id.
    let thread: UInt64
    /// The acquiring task's address, `nil` outside a task.
    let task: UnsafeRawPointer?
    /// ``Platform/coarseMonotonicNanoseconds()`` at the acquisition.
    let acquiredAt: Int64
    let units: UInt64
    let kind: HolderKind
    /// The acquiring thread's sequence number of the record.
    let order: UInt64
}

/// A consistent copy of one holder record, as a report reads it.
struct HolderRecord: Sendable {
    /// What frees it (``HolderRecordSlab/free(_:ifHeaderIs:)``), and its header when it was read.
    let token: HolderToken
    let header: UInt64
    let owner: UInt
    let site: HolderSite
    let thread: UInt64
    /// The task's address, zero outside a task.
    let task: UInt
    let taskName: String?
    let acquiredAt: Int64
    let units: UInt64
    let kind: HolderKind
    /// The owning thread's sequence number of the record.
    let order: UInt64
}
