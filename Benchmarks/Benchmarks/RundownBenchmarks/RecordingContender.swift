// SPDX-License-Identifier: Apache-2.0
import Rundown

/// `withProtection {}` on a `RundownRef` created with `recordingHolders: true`: what holder reports cost (a lock and
/// a record per acquisition), next to the plain `RundownRef.withProtection`, whose fast path recording must not touch.
final class RecordingWithProtectionContender: SyncRundownContender {
    static var label: String { "RundownRef(recordingHolders).withProtection" }

    let rundown = RundownRef(recordingHolders: true)

    init() {}

    @inline(__always)
    func protectedNoOp() {
        do {
            try rundown.withProtection {}
        } catch {
            acquisitionFailed(Self.label)
        }
    }

    func runDown() {
        rundown.waitForRundown()
    }

    func canAcquire() -> Bool {
        (try? rundown.withProtection {}) != nil
    }
}
