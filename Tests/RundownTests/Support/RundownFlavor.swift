// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// The run-down types the contract suite runs against; every contract test is parameterized over these.
enum RundownFlavor: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    /// ``RundownRef``.
    case plain
    /// ``CacheAwareRundownRef`` with its default slot count (one per CPU), on the process's fast path (restartable
    /// sequences where they are available).
    case cacheAware
    /// ``CacheAwareRundownRef`` forced onto the atomic-slot path, so that one process tests both paths.
    case cacheAwareAtomic

    func make() -> any RundownProtection {
        switch self {
        case .plain: RundownRef()
        case .cacheAware: CacheAwareRundownRef()
        case .cacheAwareAtomic: CacheAwareRundownRef(forcingAtomicSlots: true)
        }
    }

    /// An object of this flavor that records its holders. (Recording routes the cache-aware type's acquisitions to
    /// its shared engine, so both cache-aware flavors record the same way.)
    func makeRecording() -> any RundownProtection {
        switch self {
        case .plain: RundownRef(recordingHolders: true)
        case .cacheAware, .cacheAwareAtomic: CacheAwareRundownRef(recordingHolders: true)
        }
    }

    /// Whether every release checks that it does not release more than was acquired. On the restartable-sequence
    /// path slots hold net counts, and releasing without an acquire shows when run-down begins.
    var checksEveryRelease: Bool {
        self != .cacheAware || CacheAwareRundownRef.processFastPath != .restartableSequences
    }

    var description: String { rawValue }
}

/// Whether the opt-in long stress variants run (`RUNDOWN_LONG_TESTS=1`).
let longTestsEnabled = environmentValue("RUNDOWN_LONG_TESTS") == "1"

/// `quick` iterations normally, `long` with `RUNDOWN_LONG_TESTS=1`.
func iterations(quick: Int, long: Int) -> Int {
    longTestsEnabled ? long : quick
}

/// The state as a Copyable value, for `#expect`.
func holders(_ rundown: some RundownProtection) -> RundownState {
    rundown.state
}

/// The holder records (and waiting cancellable holders) of `rundown`: zero once everyone has left.
func liveHolderRecords(_ rundown: some RundownProtection) -> Int {
    switch rundown {
    case let plain as RundownRef: plain.liveHolderRecordCount
    case let cacheAware as CacheAwareRundownRef: cacheAware.liveHolderRecordCount
    default: preconditionFailure("unknown run-down type \(type(of: rundown))")
    }
}
