// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// What a ``RundownEngine`` needs only off its fast path, each part allocated when first used: the waiters and
/// callbacks, the cancellable holders, and (for an engine that records its holders) the holder records.
///
/// The engine keeps one lazily allocated reference to this table, so that it stays two words; the table keeps one
/// reference to each part. An engine that never waits, never keeps a callback, never records and never runs a
/// cancellable holder allocates nothing.
final class RundownSideTable: Sendable {
    /// The holder records; created with the table by an engine that records its holders, `nil` otherwise.
    let recorder: HolderRecorder?

    /// The object's name, as given when it was created.
    let name: String?

    /// ``HolderRecorder/identity`` of ``recorder``, zero if there is none: all that recording a holder needs.
    let recorderIdentity: UInt

    /// What a named object reports with the `MetricsSupport` trait; `nil` without a name or the trait.
    let metrics: ObjectMetrics?

    /// The waiters and completion callbacks, allocated by the first wait that has to block or callback that has
    /// to be kept.
    private let waiterStore = AtomicLazyReference<WaiterStore>()

    /// The cancellable holders and the cancellation requests, allocated by the first cancellable holder or request.
    private let cancellableStore = AtomicLazyReference<CancellableHolders>()

    init(recordingHolders: Bool, name: String?, kind: String, reportsMetrics: Bool) {
        let recorder = recordingHolders ? HolderRecorder(objectName: name, objectKind: kind) : nil
        self.recorder = recorder
        recorderIdentity = recorder?.identity ?? 0
        self.name = name
        metrics = reportsMetrics ? name.flatMap { ObjectMetrics.make(name: $0, kind: kind) } : nil
    }

    /// The waiter store, if a wait or a callback has allocated it.
    var existingWaiters: WaiterStore? { waiterStore.load() }

    /// The waiter store, allocated on first use.
    var waiters: WaiterStore {
        waiterStore.load() ?? waiterStore.storeIfNil(WaiterStore())
    }

    /// The store of cancellable holders, if one has been allocated.
    var existingCancellableHolders: CancellableHolders? { cancellableStore.load() }

    /// The store of cancellable holders, allocated on first use.
    var cancellableHolders: CancellableHolders {
        cancellableStore.load() ?? cancellableStore.storeIfNil(CancellableHolders())
    }
}
