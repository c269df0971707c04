// SPDX-License-Identifier: Apache-2.0

// Hooks for the package's tests, benchmarks and fuzzer, reached through `@_spi(Testing) import Rundown`; not public
// API (see the README's "Source stability"). They read state that the public API deliberately hides.

extension RundownProtecting where Self: ~Copyable {
    /// The number of waiter records and kept callbacks: zero whenever nobody waits, so a leak shows.
    @_spi(Testing)
    public var liveWaiterRecordCount: Int { _withCompletionEngine { $0.liveWaiterRecords } }

    /// Whether the waiter store has been allocated (it is allocated only when a wait has to block or a callback
    /// has to be kept).
    @_spi(Testing)
    public var hasWaiterStore: Bool { _withCompletionEngine { $0.sideTable.load()?.existingWaiters != nil } }

    /// The holder records (zero once every holder has left) plus the cancellable holders waiting for a
    /// cancellation request: a leak shows.
    @_spi(Testing)
    public var liveHolderRecordCount: Int {
        _withCompletionEngine { $0.recordedHolderCount + $0.waitingCancellableHolders }
    }
}

extension CacheAwareRundownRef {
    /// The holders counted in slot `index` (``slotCount`` names the overflow word) and whether it is closed; the
    /// holders are a net count on the restartable-sequence path.
    @_spi(Testing)
    public func slotSnapshot(_ index: Int) -> (holders: Int, isClosed: Bool) {
        storage.snapshot(ofSlot: index)
    }

    /// Creates an instance on the atomic-slot path even where the process uses restartable sequences, so that tests
    /// and benchmarks can run both paths in one process.
    @_spi(Testing)
    public convenience init(slotCount: Int? = nil, forcingAtomicSlots: Bool) {
        self.init(
            slotCount: slotCount ?? Self.defaultSlotCount,
            fastPath: forcingAtomicSlots ? .atomicSlots(reason: "forced for this instance") : Self.processFastPath
        )
    }
}

extension RundownProtected {
    /// Creates an object with per-CPU readers on the atomic-slot path even where the process uses restartable
    /// sequences, so that tests run both paths in one process.
    @_spi(Testing)
    public convenience init(
        _ initialValue: Value,
        name: String? = nil,
        recordingHolders: Bool = false,
        perCPUReadersOnAtomicSlots: Bool
    ) {
        self.init(
            initialValue,
            name: name,
            recordingHolders: recordingHolders,
            readerFastPath: perCPUReadersOnAtomicSlots ? .atomicSlots(reason: "forced for this instance") : nil
        )
    }

    /// The waiter records of both slots' engines plus the writers waiting for their turn.
    @_spi(Testing)
    public var liveWaiterRecordCount: Int {
        counters.perform(LiveWaiterRecords(), on: 0) + counters.perform(LiveWaiterRecords(), on: 1)
            + writers.waitingWriters
    }

    /// The holder records of both slots' engines; see ``RundownProtecting/liveHolderRecordCount``.
    @_spi(Testing)
    public var liveHolderRecordCount: Int {
        counters.perform(LiveHolderRecords(), on: 0) + counters.perform(LiveHolderRecords(), on: 1)
    }
}

/// The waiter records of a slot's counter.
private struct LiveWaiterRecords: SlotCounterOperation {
    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) -> Int {
        counter.liveWaiterRecordCount
    }
}

/// The holder records of a slot's counter.
private struct LiveHolderRecords: SlotCounterOperation {
    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) -> Int {
        counter.liveHolderRecordCount
    }
}

extension RundownHolderReport {
    /// The recording objects alive in the process (registered for ``everyRecordingObject()``): back where it was once
    /// the objects created since are gone, so a registry leak shows.
    @_spi(Testing)
    public static var liveRecordingObjectCount: Int { RecordingObjects.count }
}
