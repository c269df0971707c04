// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// `CacheAwareRundownRef` forced onto its atomic-slot path, next to the process's own path (restartable sequences
/// where they are available), so that one benchmark run compares the two. Forwards everything to the instance.
final class AtomicSlotsRundown: BenchmarkedRundown {
    static var benchmarkName: String { "CacheAwareRundownRef[atomic slots]" }

    let base = CacheAwareRundownRef(forcingAtomicSlots: true)

    init() {}

    @inline(__always)
    func tryAcquire(fileID: StaticString, line: UInt, function: StaticString) throws(RundownError) -> RundownGuard {
        try base.tryAcquire(fileID: fileID, line: line, function: function)
    }

    @inline(__always)
    func tryAcquire(
        count: Int,
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) throws(RundownError) -> RundownGuard {
        try base.tryAcquire(count: count, fileID: fileID, line: line, function: function)
    }

    @inline(__always)
    func withProtection<Result: ~Copyable, Failure: Error>(
        fileID: StaticString,
        line: UInt,
        function: StaticString,
        _ body: () throws(Failure) -> Result
    ) throws -> Result {
        try base.withProtection(fileID: fileID, line: line, function: function, body)
    }

    func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        fileID: StaticString,
        line: UInt,
        function: StaticString,
        _ body: () throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result? {
        try base.withProtectionIfAvailable(fileID: fileID, line: line, function: function, body)
    }

    @inline(__always)
    func withProtection<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)?,
        fileID: StaticString,
        line: UInt,
        function: StaticString,
        _ body: () async throws(Failure) -> Result
    ) async throws -> Result {
        try await base.withProtection(isolation: isolation, fileID: fileID, line: line, function: function, body)
    }

    func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)?,
        fileID: StaticString,
        line: UInt,
        function: StaticString,
        _ body: () async throws(Failure) -> sending Result
    ) async throws(Failure) -> sending Result? {
        try await base.withProtectionIfAvailable(
            isolation: isolation,
            fileID: fileID,
            line: line,
            function: function,
            body
        )
    }

    func withCancellableProtection<Result: Sendable>(
        fileID: StaticString,
        line: UInt,
        function: StaticString,
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        try await base.withCancellableProtection(fileID: fileID, line: line, function: function, body)
    }

    func cancelCancellableHolders() { base.cancelCancellableHolders() }

    func waitForRundown(gracePeriod: Duration) async { await base.waitForRundown(gracePeriod: gracePeriod) }

    func waitForRundown(gracePeriod: Duration, timeout: Duration) async -> Bool {
        await base.waitForRundown(gracePeriod: gracePeriod, timeout: timeout)
    }

    func holderReport() -> RundownHolderReport { base.holderReport() }

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
