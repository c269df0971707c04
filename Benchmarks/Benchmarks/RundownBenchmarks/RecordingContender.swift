// SPDX-License-Identifier: Apache-2.0
import Rundown

/// How a contender of ``MadeWithProtectionContender`` makes its run-down object: for configurations of a type that
/// are not a type of their own (holder recording on). (The embedded engine, which is not copyable, has its own
/// contender: an associated type cannot be non-copyable.)
protocol RundownMaker {
    associatedtype Made: RundownProtecting
    static var label: String { get }
    static func make() -> Made
}

/// `withProtection {}` on an object that a ``RundownMaker`` makes.
final class MadeWithProtectionContender<Maker: RundownMaker>: SyncRundownContender {
    static var label: String { Maker.label }

    let rundown = Maker.make()

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

/// A `RundownRef` that records its holders: what holder reports cost next to the plain `RundownRef.withProtection`.
enum RecordingRundownRefMaker: RundownMaker {
    static var label: String { "RundownRef(recordingHolders).withProtection" }
    static func make() -> RundownRef { RundownRef(recordingHolders: true) }
}

/// A `CacheAwareRundownRef` that records its holders: recording must keep it scaling with cores.
enum RecordingCacheAwareMaker: RundownMaker {
    static var label: String { "CacheAwareRundownRef(recordingHolders).withProtection" }
    static func make() -> CacheAwareRundownRef { CacheAwareRundownRef(recordingHolders: true) }
}
