// SPDX-License-Identifier: Apache-2.0

/// The reader counters of a ``RundownProtected``'s two value slots: one embedded ``RundownEngine`` each
/// (``SlotEngines``), or one ``CacheAwareRundownRef`` each (``PerCPUReaders``). Every operation on "the counter of
/// slot s" goes through ``perform(_:on:)``, which is where the choice of counter is made; the readers' two, acquire
/// and release, go through ``acquireReader(on:fileID:line:function:)`` and ``releaseReader(_:on:)``, which make the
/// same choice and reach per-CPU counters through the inline ``PerCPUReaderPaths`` instead.
@usableFromInline
struct SlotCounters: ~Copyable, Sendable {
    /// The one-word counters (idle when the readers are per CPU).
    @usableFromInline
    let engines: SlotEngines

    /// The per-CPU counters, if the object was created with them.
    @usableFromInline
    let perCPU: PerCPUReaders?

    /// What readers need of the per-CPU counters, inline (see ``PerCPUReaderPaths``).
    @usableFromInline
    let perCPUReaderPaths: PerCPUReaderPaths?

    /// One-word counters, or (with `perCPUFastPath`) per-CPU ones on that path.
    init(recordingHolders: Bool, name: String?, perCPUFastPath: CacheAwareRundownRef.FastPath?) {
        engines = SlotEngines(recordingHolders: recordingHolders && perCPUFastPath == nil, name: name)
        perCPU = perCPUFastPath.map { PerCPUReaders(recordingHolders: recordingHolders, name: name, fastPath: $0) }
        perCPUReaderPaths = perCPU?.readerPaths
    }

    /// Acquires one reader of value slot `slot` at the caller's site: the readers' fast path.
    @inlinable
    @inline(__always)
    borrowing func acquireReader(
        on slot: Int,
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) -> _RundownAcquisition? {
        // `perCPUReaderPaths` is used in place (not bound to a local, which would load every field of both slots).
        if perCPUReaderPaths != nil {
            return perCPUReaderPaths.unsafelyUnwrapped.acquire(
                slot: slot,
                fileID: fileID,
                line: line,
                function: function
            )
        }
        return perform(AcquireReader(fileID: fileID, line: line, function: function), on: slot)
    }

    /// Releases the reader `acquisition` of value slot `slot`.
    @inlinable
    @inline(__always)
    borrowing func releaseReader(_ acquisition: _RundownAcquisition, on slot: Int) {
        if perCPUReaderPaths != nil {
            perCPUReaderPaths.unsafelyUnwrapped.release(slot: slot, acquisition)
            return
        }
        perform(ReleaseReader(acquisition), on: slot)
    }

    /// Runs `operation` on the counter of `slot`.
    @inlinable
    @inline(__always)
    borrowing func perform<Operation: SlotCounterOperation>(_ operation: Operation, on slot: Int) -> Operation.Result {
        // The counter is reached without a retain: `perCPU` is a stored property of the borrowed `self` (not bound to
        // a local), and the counter an unretained reference that `perCPU` keeps alive, used as a guaranteed one. A
        // binding or a returned reference would cost a retain and a release per read.
        if perCPU != nil {
            return perCPU.unsafelyUnwrapped.unretained(slot)._withUnsafeGuaranteedRef { operation.run(on: $0) }
        }
        return engines.with(slot) { operation.run(on: $0) }
    }

    /// Runs the asynchronous `operation` on the counter of `slot`.
    borrowing func perform<Operation: AsyncSlotCounterOperation>(
        _ operation: Operation,
        on slot: Int
    ) async -> Operation.Result {
        if let perCPU { return await operation.run(on: slot == 0 ? perCPU.first : perCPU.second) }
        return await engines.with(slot) { await operation.run(on: $0) }
    }

    /// The holders inside both slots.
    borrowing func holderCount() -> Int {
        perform(HolderCount(), on: 0) + perform(HolderCount(), on: 1)
    }
}

/// Something done to the counter of one value slot, whichever kind it is.
@usableFromInline
protocol SlotCounterOperation {
    associatedtype Result
    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) -> Result
}

/// Something done to the counter of one value slot that may suspend.
protocol AsyncSlotCounterOperation {
    associatedtype Result
    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) async -> Result
}

/// Acquires one reader at the caller's site.
@usableFromInline
struct AcquireReader: SlotCounterOperation {
    @usableFromInline
    let fileID: StaticString

    @usableFromInline
    let line: UInt

    @usableFromInline
    let function: StaticString

    @inlinable
    @inline(__always)
    init(fileID: StaticString, line: UInt, function: StaticString) {
        self.fileID = fileID
        self.line = line
        self.function = function
    }

    @inlinable
    @inline(__always)
    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) -> _RundownAcquisition? {
        counter._acquire(
            units: RundownWord.holderUnit,
            cancellable: false,
            fileID: fileID,
            line: line,
            function: function
        )
    }
}

/// Releases one reader.
@usableFromInline
struct ReleaseReader: SlotCounterOperation {
    @usableFromInline
    let acquisition: _RundownAcquisition

    @inlinable
    init(_ acquisition: _RundownAcquisition) {
        self.acquisition = acquisition
    }

    @inlinable
    @inline(__always)
    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) {
        counter._release(units: RundownWord.holderUnit, acquisition)
    }
}

/// Opens the slot's next generation: its value has been written.
struct Reopen: SlotCounterOperation {
    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) {
        counter.reInitialize()
    }
}

/// Closes the slot's generation: new readers are refused and go to the other slot. The slots' counters report no
/// metrics of their own (a reader a closed slot refuses is not refused by the object), so the run-down's duration
/// goes to the object's `metrics`, if it has any, from a completion callback.
struct Close: SlotCounterOperation {
    let metrics: ObjectMetrics?

    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) {
        guard let metrics else {
            counter.beginRundown()
            return
        }
        metrics.rundownBegan(at: Platform.monotonicNanoseconds())
        counter.beginRundown { metrics.rundownCompleted(at: Platform.monotonicNanoseconds()) }
    }
}

/// Blocks until the slot's readers have left, or `timeout` passes; timed in the object's `metrics`, if any.
struct WaitBlocking: SlotCounterOperation {
    let timeout: Duration?
    let metrics: ObjectMetrics?

    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) -> Bool {
        let start = metrics == nil ? 0 : Platform.monotonicNanoseconds()
        guard let timeout else {
            counter.waitForRundown()
            metrics?.waited(since: start)
            return true
        }
        let drained = counter.waitForRundown(timeout: timeout)
        metrics?.waited(since: start, drained: drained, holdersInside: { counter._state.holderCount })
        return drained
    }
}

/// Suspends until the slot's readers have left, or `deadline` passes (or the task is cancelled); timed in the
/// object's `metrics`, if any.
struct WaitSuspending: AsyncSlotCounterOperation {
    let deadline: MonotonicDeadline?
    let metrics: ObjectMetrics?

    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) async -> Bool {
        let start = metrics == nil ? 0 : Platform.monotonicNanoseconds()
        let generation = counter._beginRundown().generation
        let drained = await counter._withCompletionEngineAsync { engine in
            guard let deadline else {
                await engine.waitSuspending(for: generation)
                return true
            }
            return await engine.waitSuspending(for: generation, until: deadline)
        }
        metrics?.waited(since: start, drained: drained, holdersInside: { counter._state.holderCount })
        return drained
    }
}

/// Runs `callback` once the slot's readers have left (at once if none is inside).
struct WhenDrained: SlotCounterOperation {
    let callback: @Sendable () -> Void

    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) {
        counter.beginRundown(onCompletion: callback)
    }
}

/// The holders inside the slot.
struct HolderCount: SlotCounterOperation {
    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) -> Int {
        counter._state.holderCount
    }
}

/// Whether the slot's counter records its holders.
struct IsRecording: SlotCounterOperation {
    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) -> Bool {
        counter.isRecordingHolders
    }
}

/// The slot's holder report.
struct Report: SlotCounterOperation {
    func run<Counter: RundownProtecting & ~Copyable>(on counter: borrowing Counter) -> RundownHolderReport {
        counter.holderReport()
    }
}
