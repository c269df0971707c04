// SPDX-License-Identifier: Apache-2.0
import Rundown

/// `withProtection {}` on a ``RundownEngine`` embedded in the contender's own final class, the way users embed it:
/// it must cost what `RundownRef.withProtection` costs.
final class EngineWithProtectionContender: SyncRundownContender {
    static var label: String { "RundownEngine.withProtection (embedded)" }

    let rundown = RundownEngine()

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
