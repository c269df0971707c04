// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// A ``RundownEngine`` embedded in a final class as a `let`, the way its documentation says to use it, driven as a
/// ``ModelSubject``: the unguarded pair and the closure forms, since an engine has no guards.
final class EngineSubject: ModelSubject {
    private let engine: RundownEngine

    init(recordingHolders: Bool) {
        engine = RundownEngine(recordingHolders: recordingHolders)
    }

    var hasGuards: Bool { false }
    var isRecordingHolders: Bool { engine.isRecordingHolders }
    var state: RundownState { engine.state }
    var liveWaiterRecordCount: Int { engine.liveWaiterRecordCount }
    var liveHolderRecordCount: Int { engine.liveHolderRecordCount }

    func holderReport() -> RundownHolderReport {
        engine.holderReport()
    }

    func acquireGuard(count: Int, countForm: Bool) throws(RundownError) -> GuardBox {
        preconditionFailure("a RundownEngine has no guards; the driver uses the unguarded pair instead")
    }

    func unguardedTryAcquire(count: Int) -> Bool {
        engine.unsafeTryAcquire(count: count)
    }

    func unguardedRelease(count: Int) {
        engine.unsafeRelease(count: count)
    }

    func protect(ifAvailable: Bool, _ body: () -> Void) -> Bool {
        if ifAvailable { return engine.withProtectionIfAvailable { body() } != nil }
        return (try? engine.withProtection { body() }) != nil
    }

    @discardableResult
    func beginRundown() -> Bool {
        engine.beginRundown()
    }

    func beginRundown(onCompletion: @escaping @Sendable () -> Void) {
        engine.beginRundown(onCompletion: onCompletion)
    }

    func waitForRundown() {
        engine.waitForRundown()
    }

    func waitForRundown(timeout: Duration) -> Bool {
        engine.waitForRundown(timeout: timeout)
    }

    func reInitialize() {
        engine.reInitialize()
    }
}
