// SPDX-License-Identifier: Apache-2.0
import Rundown
import Synchronization

// What `RundownProtected.withValue` costs, next to what it is built from and what it replaces: each contender reads
// one field of a shared configuration object. (These were the `withvalue-cost` example before.)

/// The protected value: a small configuration object, read by reference.
final class BenchmarkConfiguration: Sendable {
    let limit: Int
    init(limit: Int) { self.limit = limit }
}

/// Traps unless a read returned the configuration's value.
@inline(__always)
private func checkRead(_ limit: Int?, _ label: String) {
    if limit != 3 { acquisitionFailed(label) }
}

/// `RundownProtected.withValue`: a read of the current value, safe against replacement by construction.
final class WithValueContender: SyncContender {
    static var label: String { "RundownProtected.withValue" }

    let protected = RundownProtected(BenchmarkConfiguration(limit: 3))

    init() {}

    @inline(__always)
    func protectedNoOp() {
        checkRead(try? protected.withValue { $0.limit }, Self.label)
    }
}

/// `RundownProtected.withValue` with readers counted per CPU: what reads cost when they must scale with cores.
final class PerCPUWithValueContender: SyncContender {
    static var label: String { "RundownProtected[per-CPU].withValue" }

    let protected = RundownProtected(BenchmarkConfiguration(limit: 3), perCPUReaders: true)

    init() {}

    @inline(__always)
    func protectedNoOp() {
        checkRead(try? protected.withValue { $0.limit }, Self.label)
    }
}

/// `Mutex<Value>.withLock`: the lock a developer would reach for first, read only.
final class MutexReadContender: SyncContender {
    static var label: String { "Mutex<Value>.withLock (read)" }

    let value = Mutex(BenchmarkConfiguration(limit: 3))

    init() {}

    @inline(__always)
    func protectedNoOp() {
        checkRead(value.withLock { $0.limit }, Self.label)
    }
}

/// The design `RundownProtected` avoided: a lock to copy out a reference to the current generation, then run-down
/// protection on that generation (reference counting and a lock on every read).
final class LockedGenerationContender: SyncContender {
    static var label: String { "Mutex copy of generation + withProtection" }

    /// One generation: the value with its own run-down protection.
    final class Generation: Sendable {
        let value: BenchmarkConfiguration
        let rundown = RundownRef()
        init(_ value: BenchmarkConfiguration) { self.value = value }
    }

    let current = Mutex(Generation(BenchmarkConfiguration(limit: 3)))

    init() {}

    @inline(__always)
    func protectedNoOp() {
        let generation = current.withLock { $0 }
        checkRead(try? generation.rundown.withProtection { generation.value.limit }, Self.label)
    }
}
