// SPDX-License-Identifier: Apache-2.0

// Hooks for the package's tests, benchmarks and fuzzer, reached through `@_spi(Testing) import Rundown`; not public
// API (see the README's "Source stability"). They read state that the public API deliberately hides.

extension RundownEngine {
    /// The number of waiter records and kept callbacks: zero whenever nobody waits, so a leak shows.
    @_spi(Testing)
    public var liveWaiterRecordCount: Int { liveWaiterRecords }

    /// Whether the waiter store has been allocated (it is allocated only when a wait has to block or a callback
    /// has to be kept).
    @_spi(Testing)
    public var hasWaiterStore: Bool { store.load() != nil }
}

extension RundownRef {
    /// See ``RundownEngine/liveWaiterRecordCount``.
    @_spi(Testing)
    public var liveWaiterRecordCount: Int { engine.liveWaiterRecords }

    /// See ``RundownEngine/hasWaiterStore``.
    @_spi(Testing)
    public var hasWaiterStore: Bool { engine.hasWaiterStore }
}

extension CacheAwareRundownRef {
    /// See ``RundownEngine/liveWaiterRecordCount``.
    @_spi(Testing)
    public var liveWaiterRecordCount: Int { shared.liveWaiterRecords }

    /// The holders counted in slot `index` and whether it is closed.
    @_spi(Testing)
    public func slotSnapshot(_ index: Int) -> (holders: Int, isClosed: Bool) {
        let word = slotWord(index)
        return (word.holders, word.isClosed)
    }
}

extension RundownProtected {
    /// The waiter records of both slots' engines plus the writers waiting for their turn.
    @_spi(Testing)
    public var liveWaiterRecordCount: Int {
        firstRundown.liveWaiterRecords + secondRundown.liveWaiterRecords + writers.waitingWriters
    }
}
