// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// The leak rounds of the process-wide registry of recording objects (``RundownHolderReport/everyRecordingObject()``):
/// named recording objects created, used and dropped, a million over the large batches.
///
/// One round: ``objectsPerRound`` named recording objects, `RundownRef`s and `CacheAwareRundownRef`s in turn, each entered once with `withProtection`
/// (which writes and clears a holder record), every third also left with two unguarded holders inside when it goes
/// away. Each object registers when it is created and must unregister when it is dropped; the round checks that the
/// registry holds as many objects afterwards as before, and the gate that nothing else stays allocated.
final class RecordingRegistryRounds: LeakRounds {
    static var name: String { "RecordingObjects" }

    /// The objects one round creates and drops.
    static let objectsPerRound = 16

    static var operationsPerRound: LeakOperations {
        LeakOperations(timeouts: 0, callbacks: 0, cancellations: 0, waits: 0, objects: objectsPerRound)
    }

    init() {}

    func round() async {
        let before = RundownHolderReport.liveRecordingObjectCount
        for index in 0..<Self.objectsPerRound {
            let name = "leak round object \(index)"
            let rundown: any RundownProtection =
                index.isMultiple(of: 2)
                ? RundownRef(name: name, recordingHolders: true)
                : CacheAwareRundownRef(name: name, recordingHolders: true)
            do {
                try rundown.withProtection {
                    if rundown.holderReport().holders.count != 1 {
                        leakFailure("\(Self.name): a holder inside was not reported")
                    }
                }
            } catch {
                leakFailure("\(Self.name): a fresh object refused: \(error)")
            }
            if index % 3 == 0, !rundown.unsafeTryAcquire(count: 2) {
                leakFailure("\(Self.name): a fresh object refused the unguarded pair")
            }
        }
        let after = RundownHolderReport.liveRecordingObjectCount
        leakCheck(after == before, "\(Self.name): \(after - before) more recording objects registered after a round")
    }
}
