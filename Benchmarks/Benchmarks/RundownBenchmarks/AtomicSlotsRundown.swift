// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// `CacheAwareRundownRef` forced onto its atomic-slot path, next to the process's own path (restartable sequences
/// where they are available), so that one benchmark run compares the two. Forwards everything to the instance.
final class AtomicSlotsRundown: BenchmarkedRundown {
    static var benchmarkName: String { "CacheAwareRundownRef[atomic slots]" }

    let base = CacheAwareRundownRef(forcingAtomicSlots: true)

    init() {}

    @inline(__always)
    func tryAcquire() throws(RundownError) -> RundownGuard { try base.tryAcquire() }

    @inline(__always)
    func tryAcquire(count: Int) throws(RundownError) -> RundownGuard { try base.tryAcquire(count: count) }

    @inline(__always)
    func withProtection<Result: ~Copyable, Failure: Error>(_ body: () throws(Failure) -> Result) throws -> Result {
        try base.withProtection(body)
    }

    func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        _ body: () throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result? {
        try base.withProtectionIfAvailable(body)
    }

    @inline(__always)
    func withProtection<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)?,
        _ body: () async throws(Failure) -> Result
    ) async throws -> Result {
        try await base.withProtection(isolation: isolation, body)
    }

    func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)?,
        _ body: () async throws(Failure) -> sending Result
    ) async throws(Failure) -> sending Result? {
        try await base.withProtectionIfAvailable(isolation: isolation, body)
    }

    @discardableResult
    func beginRundown() -> Bool { base.beginRundown() }

    func beginRundown(onCompletion: @escaping @Sendable () -> Void) { base.beginRundown(onCompletion: onCompletion) }

    @available(*, noasync)
    func waitForRundown() { base.waitForRundown() }

    @available(*, noasync)
    func waitForRundown(timeout: Duration) -> Bool { base.waitForRundown(timeout: timeout) }

    func waitForRundown() async { await base.waitForRundown() }

    func waitForRundown(timeout: Duration) async -> Bool { await base.waitForRundown(timeout: timeout) }

    func reInitialize() { base.reInitialize() }

    var state: RundownState { base.state }

    var unsafe: CacheAwareRundownRef.UnsafeProtection { base.unsafe }
}
