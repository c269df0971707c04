// SPDX-License-Identifier: Apache-2.0

/// Run-down protection that scales with cores: one counter per CPU, each on its own cache line.
///
/// The same surface, contract and memory orderings as ``RundownRef`` (the members of ``RundownProtecting`` and
/// ``RundownProtection``, documented there), for objects that many cores acquire and release at once. This is the NT kernel's
/// `EX_RUNDOWN_REF_CACHE_AWARE` and Linux's `percpu_ref`.
///
/// A single counter word is the bottleneck of run-down protection under contention: every acquire and release from
/// every core moves its cache line. Here each acquisition counts in the slot of the CPU the thread runs on, so cores
/// do not share a line while the object is active. Beginning run-down closes the slots and folds their counts into a
/// shared ``RundownEngine``, whose count later releases decrement; whoever brings it to zero completes the
/// generation, and the engine's waiting and callback machinery (the same code as ``RundownRef``'s) does the rest.
///
/// ## Two fast paths
/// Which one runs is decided once per process; ``fastPath`` says which, and why (see ``FastPath``).
/// - **Restartable sequences** (Linux with glibc 2.35 or later, x86-64 and aarch64): acquire and release are each one
///   restartable sequence that adds to the current CPU's slot with a plain, unlocked add, below the cost of a single
///   atomic read-modify-write. Beginning run-down issues one `membarrier` system call, which costs microseconds.
/// - **Atomic slots** (everywhere else: Apple platforms, musl, older glibc, rseq disabled, ThreadSanitizer builds):
///   one atomic read-modify-write on the caller's slot each, plus reading the current CPU.
///
/// ## Cost
/// - No lock and no allocation on acquire or release; the closure form adds no reference counting.
/// - A guard (``RundownProtection/tryAcquire(fileID:line:function:)``) retains a small per-CPU object rather than this
///   one, so guards scale too.
/// - Memory: `slotCount + 1` lines of 128 bytes (each slot on its own pair of cache lines, so adjacent-line
///   prefetching does not couple them), one padded anchor object per slot, and small objects; ``memoryFootprint``
///   says how much. Pick ``RundownRef`` for the many objects that are rarely contended, and this type for the few
///   that all cores hit.
/// - Holders: at most ``maximumHoldersPerSlot`` at once per slot on the atomic-slot path; on the
///   restartable-sequence path slots hold net counts and only the total is limited.
public final class CacheAwareRundownRef: Sendable {
    /// The slots, the shared engine and the fast path; guards keep it alive through the anchors.
    @usableFromInline
    let storage: PerCPUStorage

    /// The storage's fast-path fields, copied here so that an acquisition reads them from this object, without first
    /// loading the storage's address.
    @usableFromInline
    let pathFields: PerCPUFastPath

    /// One anchor per slot and one for the overflow word; the storage keeps unowned pointers to them for the fast
    /// path, and this object owns them.
    let anchors: [SlotAnchor]

    /// The most slots an instance can have.
    public static let maximumSlotCount = PerCPUStorage.maximumSlotCount

    /// The most holders one slot can count at once on the atomic-slot path.
    public static let maximumHoldersPerSlot = PerCPUStorage.maximumHoldersPerSlot

    /// Creates an object with one slot per CPU (the next power of two, at most ``maximumSlotCount``), in the
    /// `active(holders: 0)` state.
    public convenience init() {
        self.init(slotCount: Self.defaultSlotCount)
    }

    /// Creates an object with `slotCount` slots, in the `active(holders: 0)` state.
    ///
    /// A tuning knob: fewer slots than CPUs save memory (``memoryFootprint``) at the price of CPUs sharing a slot's
    /// cache line (atomic slots) or of the CPUs beyond the slot count sharing one overflow word (restartable
    /// sequences); more buy nothing. ``init()`` picks one slot per CPU.
    ///
    /// - Precondition: `slotCount` is a power of two from 1 to ``maximumSlotCount``.
    public convenience init(slotCount: Int) {
        self.init(slotCount: slotCount, fastPath: Self.processFastPath)
    }

    /// Creates an object with one slot per CPU that, if `recordingHolders` is `true`, records every outstanding
    /// holder for ``RundownProtecting/holderReport()``.
    ///
    /// A recording instance counts its holders in the per-CPU slots like any other and writes each one's record into
    /// memory of the recording thread's own (see ``RundownHolderReport``): recording adds no lock and no shared write,
    /// so it scales with cores too.
    public convenience init(recordingHolders: Bool) {
        self.init(slotCount: Self.defaultSlotCount, fastPath: Self.processFastPath, recordingHolders: recordingHolders)
    }

    /// Creates a named object with one slot per CPU, recording its holders if `recordingHolders`; see
    /// ``RundownEngine/init(name:recordingHolders:)`` for what the name is for.
    public convenience init(name: String, recordingHolders: Bool = false) {
        self.init(
            slotCount: Self.defaultSlotCount,
            fastPath: Self.processFastPath,
            recordingHolders: recordingHolders,
            name: name
        )
    }

    init(
        slotCount: Int,
        fastPath: FastPath,
        recordingHolders: Bool = false,
        name: String? = nil,
        kind: String = "CacheAwareRundownRef",
        reportsMetrics: Bool = true
    ) {
        guard slotCount > 0, slotCount <= Self.maximumSlotCount, slotCount & (slotCount - 1) == 0 else {
            RundownMisuse.report(
                "CacheAwareRundownRef needs a power-of-two slot count from 1 to \(Self.maximumSlotCount), got \(slotCount)"
            )
        }
        let mode = PerCPUMode(restartableSequences: fastPath == .restartableSequences, recording: recordingHolders)
        let storage = PerCPUStorage(
            slotCount: slotCount,
            mode: mode,
            name: name,
            kind: kind,
            reportsMetrics: reportsMetrics
        )
        anchors = (0...slotCount).map { SlotAnchor(storage: storage, slot: $0) }
        storage.install(anchors)
        self.storage = storage
        pathFields = storage.pathFields
        MetricsSampler.register(self, metrics: storage.shared.metrics) { $0.state.holderCount }
    }

    deinit {
        if storage.shared.metrics != nil { MetricsSampler.unregister(UInt(bitPattern: ObjectIdentifier(self))) }
    }

    /// The next power of two at or above the number of configured processors, at most ``maximumSlotCount``.
    static var defaultSlotCount: Int {
        var slotCount = 1
        while slotCount < Platform.processorCount, slotCount < maximumSlotCount { slotCount *= 2 }
        return slotCount
    }

    /// The number of slots.
    public var slotCount: Int { storage.slotCount }

    /// The memory one instance occupies: the lines of its slots, its anchors and its objects, as the runtime lays
    /// them out (the allocator may round each allocation up). The shared engine's side table, allocated when a wait
    /// has to block, a callback is kept or holders are recorded, is not counted.
    public var memoryFootprint: Int {
        (slotCount + 1) * PerCPUStorage.stride + anchors.count * ObjectLayout.instanceSize(of: SlotAnchor.self)
            + ObjectLayout.instanceSize(of: PerCPUStorage.self)
            + ObjectLayout.instanceSize(of: CacheAwareRundownRef.self)
            + ObjectLayout.bufferSize(of: anchors)
    }
}

extension CacheAwareRundownRef: CustomStringConvertible {
    /// The slots, the fast path and the state, e.g.
    /// `CacheAwareRundownRef(2 slots, restartable sequences, active (3 holders))`.
    public var description: String {
        "CacheAwareRundownRef(\(slotCount) slots, \(fastPath), \(state))"
    }
}
