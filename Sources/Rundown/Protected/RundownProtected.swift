// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// A shared value that any number of threads and tasks use at once, and that can be replaced or retired while they
/// do: the run-down pattern made safe by construction, the way `Mutex<Value>` made locking safe.
///
/// Readers run a closure with the current value; nobody can reach the value any other way. ``replace(with:)-8uqqx``
/// installs a new value for every *new* reader at once — no reader is ever turned away during a replacement — and
/// hands the old value back only after its last reader has left, so tearing it down is safe. ``retire()-45u9c``
/// closes the object for good and hands back the last value the same way.
///
/// ```swift
/// let routes = RundownProtected(try RouteTable(loadingFrom: path))
///
/// // Request handlers, any number at once:
/// let page = try routes.withValue { table in table.render(request) }
///
/// // On reload: requests that start from now on get the new table; the old one comes back once its last
/// // request is done, and no request can reach it any more.
/// let old = try await routes.replace(with: try RouteTable(loadingFrom: path))
/// old.close()
/// ```
///
/// ## Design
/// The value lives in one of two slots owned by this object; each slot has its own readers' counter (an embedded
/// ``RundownEngine``, or with per-CPU readers a ``CacheAwareRundownRef``), and one atomic word says which slot is
/// current (and whether the object is retired). A reader loads that word, acquires
/// the current slot's counter and reads the slot. A replacement writes the new value into the other, idle slot,
/// re-initializes that slot's counter (a *releasing* operation that publishes the value), switches the word
/// to it, and only then runs down the old slot. A reader that loaded the word just before the switch finds the old
/// slot closed, reloads the word and lands on the new slot: it is never refused. A reader checks the word again
/// after acquiring, so it never sees a value before it is published. The slots are never freed while the
/// object lives, so a reader that loaded a stale slot number touches valid memory even when it loses the race;
/// this is what a single atomic pointer to a per-generation object cannot give without reference counting or
/// hazard pointers. Two slots are enough because replacements are serialized and each one waits until its old slot
/// has drained before the next one may write into it.
///
/// ## Cost
/// ``withValue(fileID:line:function:_:)`` costs two relaxed atomic loads (of a word that only replacements write) more than
/// ``RundownProtecting/withProtection(fileID:line:function:_:)``: a load, one compare-and-swap, a load and one atomic subtract; no lock, no
/// allocation, no reference counting. A reader that races with a replacement retries, once per replacement it
/// races with. Readers of one object share one cache line (the current slot's word), as with ``RundownRef``.
/// Replacements and retirement are rare operations: they take a lock, and wait (suspend or block) for the old
/// value's readers.
///
/// For a value that every core reads all the time, create the object with `perCPUReaders: true`
/// (``init(_:name:recordingHolders:perCPUReaders:)``): a reader then counts in its CPU's slot of the current value
/// slot's ``CacheAwareRundownRef``, and readers on different cores share no written cache line, so reads scale with
/// cores. A replacement then pays what beginning the run-down of a ``CacheAwareRundownRef`` pays: a `membarrier`
/// system call on the restartable-sequence path (microseconds; it interrupts every CPU running the process) and a
/// pass over the slots. Both kinds have the same API, contract and orderings.
///
/// `Benchmarks/RESULTS.md` has the measured cost next to a bare ``RundownProtecting/withProtection(fileID:line:function:_:)``, a
/// `Mutex<Value>.withLock` read, and the obvious alternative: a lock to copy out a reference to the current
/// generation and then run-down protection on it (reference counting and a lock on every read).
///
/// ## Memory ordering
/// Everything a replacer did before ``replace(with:)-8uqqx`` (building the new value) happens-before every
/// reader that sees the new value. Everything every reader of the old value did happens-before the replacement (or
/// retirement) returns the old value.
///
/// The value is shared by all readers at once, hence `Value: Sendable`; to change it in place, give it its own
/// synchronization, or replace it.
///
/// - Important: Do not replace or retire from inside a ``withValue(fileID:line:function:_:)`` body: the replacement would wait for
///   its own caller to leave, forever.
public final class RundownProtected<Value: Sendable>: Sendable {
    /// Bit 0: the current slot. Bit 1: retired. Written only by the writer inside ``writers``.
    @usableFromInline
    let published: Atomic<Int>

    /// The readers' counter of each slot: one word each, or per CPU (``PerCPUReaders``).
    @usableFromInline
    let counters: SlotCounters

    /// What the object reports with the `MetricsSupport` trait if it has a name: its readers (sampled) and the readers
    /// refused because it was retired.
    let metrics: ObjectMetrics?

    /// Two slots. A slot holds a value from the moment a writer fills it until a writer moves the value out, after
    /// the slot's run-down has completed.
    ///
    /// `nonisolated(unsafe)`: a slot is written only while its engine has completed run-down, so no holder
    /// exists and none can appear, and read only by holders; the run-down's acquire and release orderings order
    /// the writes and the reads.
    @usableFromInline
    nonisolated(unsafe) let values: UnsafeMutablePointer<Value>

    /// Serializes replacements and retirement, in arrival order.
    let writers = ReplacementTurnstile()

    /// The last value, once a retirement that gave up waiting has seen its last reader leave; handed to the next
    /// retirement.
    let parked = ConditionLock<Value?>(nil)

    @usableFromInline
    static var retiredBit: Int { 2 }

    /// Creates an object that protects `initialValue`.
    ///
    /// Allocates the object (which embeds the two slots' engines) and the two slots; the waiter store of a slot is
    /// allocated only when a replacement actually has to wait for readers.
    ///
    /// - Parameter initialValue: The value readers see until the first replacement.
    public convenience init(_ initialValue: Value) {
        self.init(initialValue, name: nil, recordingHolders: false, readerFastPath: nil)
    }

    /// Creates an object that protects `initialValue` and, if `recordingHolders` is `true`, records every reader
    /// inside for ``holderReport()`` (see ``RundownEngine/init(recordingHolders:)`` for what it costs).
    ///
    /// - Parameters:
    ///   - initialValue: The value readers see until the first replacement.
    ///   - recordingHolders: Whether to record the readers inside, with their sites, threads and tasks.
    public convenience init(_ initialValue: Value, recordingHolders: Bool) {
        self.init(initialValue, name: nil, recordingHolders: recordingHolders, readerFastPath: nil)
    }

    /// Creates a named object that protects `initialValue`, recording its readers if `recordingHolders`; see
    /// ``RundownEngine/init(name:recordingHolders:)`` for what the name is for.
    ///
    /// - Parameters:
    ///   - initialValue: The value readers see until the first replacement.
    ///   - name: What process-wide holder reports and metrics call the object.
    ///   - recordingHolders: Whether to record the readers inside, with their sites, threads and tasks.
    public convenience init(_ initialValue: Value, name: String, recordingHolders: Bool = false) {
        self.init(initialValue, name: name, recordingHolders: recordingHolders, readerFastPath: nil)
    }

    /// Creates an object that protects `initialValue` whose readers, if `perCPUReaders` is `true`, count in the slot
    /// of their CPU, so that reads scale with cores.
    ///
    /// With per-CPU readers, ``withValue(fileID:line:function:_:)`` costs what
    /// ``CacheAwareRundownRef``'s `withProtection` costs plus the two loads of the published word (a restartable
    /// sequence on the caller's CPU slot to enter and one to leave, where the platform has them: no locked
    /// instruction), and readers on different cores share no cache line. A replacement costs what beginning the run-down
    /// of a ``CacheAwareRundownRef`` costs: on the restartable-sequence path a `membarrier` system call (microseconds,
    /// an interrupt of every CPU that runs the process), plus a pass over the slots. Memory: two per-CPU counters
    /// (see ``CacheAwareRundownRef/memoryFootprint``). Choose it for a value that every core reads all the time and
    /// that is replaced rarely, such as a configuration or a routing table.
    ///
    /// - Parameters:
    ///   - initialValue: The value readers see until the first replacement.
    ///   - name: What process-wide holder reports and metrics call the object, if anything.
    ///   - recordingHolders: Whether to record the readers inside, with their sites, threads and tasks.
    ///   - perCPUReaders: Whether readers count per CPU (`true`) or on one word (`false`, the default elsewhere).
    public convenience init(
        _ initialValue: Value,
        name: String? = nil,
        recordingHolders: Bool = false,
        perCPUReaders: Bool
    ) {
        self.init(
            initialValue,
            name: name,
            recordingHolders: recordingHolders,
            readerFastPath: perCPUReaders ? CacheAwareRundownRef.processFastPath : nil
        )
    }

    /// An object whose readers count on one word (`readerFastPath` `nil`), or per CPU on `readerFastPath`.
    init(_ initialValue: Value, name: String?, recordingHolders: Bool, readerFastPath: CacheAwareRundownRef.FastPath?) {
        values = .allocate(capacity: 2)
        values.initialize(to: initialValue)
        counters = SlotCounters(recordingHolders: recordingHolders, name: name, perCPUFastPath: readerFastPath)
        metrics = name.flatMap { ObjectMetrics.make(name: $0, kind: "RundownProtected") }
        published = Atomic(0)
        MetricsSampler.register(self, metrics: metrics) { $0.counters.holderCount() }
    }

    /// Whether readers count per CPU (the object was created with `perCPUReaders: true`).
    public var hasPerCPUReaders: Bool { counters.perCPU != nil }

    deinit {
        if metrics != nil { MetricsSampler.unregister(UInt(bitPattern: ObjectIdentifier(self))) }
        // A retired object's value was handed out, or is parked (and released with `parked`). A live object holds
        // the current value; an old value whose teardown was deferred has gone to its teardown before the object
        // could die: the deferred teardown's callback keeps the object alive until it has run.
        let word = published.load(ordering: .relaxed)
        if word & Self.retiredBit == 0 {
            (values + (word & 1)).deinitialize(count: 1)
        }
        values.deallocate()
    }

    // MARK: Reading

    /// Runs `body` with the current value, which stays alive and is not handed back to a replacer or retirer until
    /// `body` returns.
    ///
    /// Costs one atomic load, one compare-and-swap and one atomic subtract (see the type's discussion); never
    /// blocks, never allocates. A replacement in progress never makes it fail: it runs `body` with the old value if
    /// it got in before the switch, and with the new one otherwise. The value is *borrowed*: `body` cannot store it
    /// or return it without an explicit `copy`; do not keep a copy beyond `body`, since a replacer tears the value
    /// down once `body` has returned. `body` may return a non-copyable value and throw a typed error (which comes
    /// back as `any Error`; ``withValueIfAvailable(fileID:line:function:_:)`` keeps its type).
    ///
    /// - Parameters:
    ///   - fileID: The acquiring file, for holder reports; leave the default (`#fileID`).
    ///   - line: The acquiring line; leave the default (`#line`).
    ///   - function: The acquiring function; leave the default (`#function`).
    ///   - body: Runs with the current value, borrowed.
    /// - Returns: What `body` returns.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once ``retire()-45u9c`` has begun,
    ///   or what `body` throws.
    @inlinable
    @inline(__always)
    public func withValue<Result: ~Copyable, Failure: Error>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: (borrowing Value) throws(Failure) -> Result
    ) throws -> Result {
        let read = try acquireCurrentSlot(fileID: fileID, line: line, function: function)
        do {
            let result = try body(values[read.valueSlot])
            release(read)
            return result
        } catch {
            release(read)
            throw error
        }
    }

    /// Runs `body` with the current value unless the object has been retired; the shape of
    /// `Mutex.withLockIfAvailable`.
    ///
    /// Costs what ``withValue(fileID:line:function:_:)`` costs and throws exactly what `body` throws.
    ///
    /// - Parameters:
    ///   - fileID: The acquiring file, for holder reports; leave the default (`#fileID`).
    ///   - line: The acquiring line; leave the default (`#line`).
    ///   - function: The acquiring function; leave the default (`#function`).
    ///   - body: Runs with the current value, borrowed.
    /// - Returns: What `body` returns, or `nil` (without running `body`) once ``retire()-45u9c`` has begun.
    /// - Throws: Only what `body` throws.
    @inlinable
    @inline(__always)
    public func withValueIfAvailable<Result: ~Copyable, Failure: Error>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: (borrowing Value) throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result? {
        guard let read = try? acquireCurrentSlot(fileID: fileID, line: line, function: function)
        else { return nil }
        defer { release(read) }
        return try body(values[read.valueSlot])
    }

    /// Runs the asynchronous `body` with the current value, which stays alive and is not handed back to a replacer
    /// or retirer until `body` returns.
    ///
    /// Costs what the synchronous form costs. The value stays protected across suspension points, however `body`
    /// exits; a replacement waiting meanwhile waits for `body`.
    ///
    /// - Parameters:
    ///   - isolation: The actor `body` runs on; the caller's, by default.
    ///   - fileID: The acquiring file, for holder reports; leave the default (`#fileID`).
    ///   - line: The acquiring line; leave the default (`#line`).
    ///   - function: The acquiring function; leave the default (`#function`).
    ///   - body: Runs with the current value, borrowed; may suspend.
    /// - Returns: What `body` returns.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once ``retire()-45u9c`` has begun,
    ///   or what `body` throws.
    @inlinable
    public func withValue<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: (borrowing Value) async throws(Failure) -> Result
    ) async throws -> Result {
        let read = try acquireCurrentSlot(fileID: fileID, line: line, function: function)
        defer { release(read) }
        return try await body(values[read.valueSlot])
    }

    /// Runs the asynchronous `body` with the current value unless the object has been retired.
    ///
    /// - Parameters:
    ///   - isolation: The actor `body` runs on; the caller's, by default.
    ///   - fileID: The acquiring file, for holder reports; leave the default (`#fileID`).
    ///   - line: The acquiring line; leave the default (`#line`).
    ///   - function: The acquiring function; leave the default (`#function`).
    ///   - body: Runs with the current value, borrowed; may suspend.
    /// - Returns: What `body` returns, or `nil` (without running `body`) once ``retire()-45u9c`` has begun.
    /// - Throws: Only what `body` throws.
    @inlinable
    public func withValueIfAvailable<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: (borrowing Value) async throws(Failure) -> sending Result
    ) async throws(Failure) -> sending Result? {
        guard let read = try? acquireCurrentSlot(fileID: fileID, line: line, function: function)
        else { return nil }
        defer { release(read) }
        return try await body(values[read.valueSlot])
    }

    // MARK: Slots

    /// Releases the reader `read`.
    @inlinable
    @inline(__always)
    func release(_ read: ProtectedRead) {
        counters.releaseReader(read.acquisition, on: read.valueSlot)
    }

    /// Parks the last value of a retirement that gave up.
    func park(_ value: Value) {
        parked.withLock { $0 = value }
    }

    /// Takes the parked value, if there is one.
    func takeParked() -> Value? {
        parked.withLock { parked in
            defer { parked = nil }
            return parked
        }
    }

    /// Acquires protection on the current slot and returns its number; retries while replacements race with it.
    ///
    /// The second load of the published word, after the acquisition, is what makes reads linearizable: a reader
    /// that loaded the word two replacements ago may acquire its (stale) slot number just after a replacer refilled
    /// that slot and before the replacer published it. Using that value would show a reader a value from the
    /// future, and a later reader the older one again. The acquisition synchronizes with the refill, and the refill
    /// came after the previous publication, so the second load sees the word as it is now (or newer); if it still
    /// names the acquired slot, that slot holds the current value, which cannot change while it is held.
    @inlinable
    @inline(__always)
    func acquireCurrentSlot(
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) throws(RundownError) -> ProtectedRead {
        var word = published.load(ordering: .relaxed)
        while true {
            if word & Self.retiredBit != 0 { throw refusedWhileRetired() }
            let slot = word & 1
            if let acquisition = counters.acquireReader(on: slot, fileID: fileID, line: line, function: function) {
                let now = published.load(ordering: .relaxed)
                let read = ProtectedRead(valueSlot: slot, acquisition: acquisition)
                if now == word { return read }
                word = releaseAfterLosingRace(read, published: now)
            } else {
                word = reloadAfterLosingRace()
            }
        }
    }

    /// A reader refused because the object is retired (counted by the metrics of a named object).
    @usableFromInline
    @inline(never)
    func refusedWhileRetired() -> RundownError {
        metrics?.refused()
        return .rundownInProgress
    }

    /// Gives back a slot acquired while a replacement moved the published word on, and returns the newer word.
    @usableFromInline
    @inline(never)
    func releaseAfterLosingRace(_ read: ProtectedRead, published now: Int) -> Int {
        release(read)
        return now
    }

    /// Reloads the published word after finding its slot closed.
    ///
    /// A slot is closed only after the word moved away from it (or was marked retired), and the closing is a
    /// *releasing* read-modify-write of the slot's word that this thread's failed acquire just read; the acquiring
    /// fence makes the newer published word visible, so the retry cannot spin on a stale slot.
    @usableFromInline
    @inline(never)
    func reloadAfterLosingRace() -> Int {
        atomicMemoryFence(ordering: .acquiring)
        return published.load(ordering: .relaxed)
    }
}

extension RundownProtected {
    /// Whether this object records its readers.
    public var isRecordingHolders: Bool { counters.perform(IsRecording(), on: 0) }

    /// Who is reading right now: every reader inside (of the current value, and of an old one a replacement is
    /// waiting for), oldest first, if the object records them; otherwise only how many there are. See
    /// ``RundownHolderReport``.
    public func holderReport() -> RundownHolderReport {
        let first = counters.perform(Report(), on: 0)
        let second = counters.perform(Report(), on: 1)
        return RundownHolderReport(
            holders: (first.holders + second.holders).sorted { $0.acquiredAt < $1.acquiredAt },
            isRecording: first.isRecording,
            holderCount: first.holderCount + second.holderCount,
            takenAt: first.takenAt
        )
    }
}

/// One reader of a ``RundownProtected``: the value slot it reads and what its counter's acquisition returned.
@usableFromInline
struct ProtectedRead: Sendable {
    @usableFromInline
    let valueSlot: Int

    @usableFromInline
    let acquisition: _RundownAcquisition

    @inlinable
    @inline(__always)
    init(valueSlot: Int, acquisition: _RundownAcquisition) {
        self.valueSlot = valueSlot
        self.acquisition = acquisition
    }
}
