// SPDX-License-Identifier: Apache-2.0

/// Run-down protection: what ``RundownEngine``, ``RundownRef`` and ``CacheAwareRundownRef`` all are, and the one
/// place their public surface is written.
///
/// Every member a user calls (the closure forms ``withProtection(fileID:line:function:_:)`` and
/// ``withProtectionIfAvailable(fileID:line:function:_:)``, sync and `async`, ``withCancellableProtection(fileID:line:function:_:)``,
/// ``beginRundown()``, every `waitForRundown`, ``reInitialize()``, ``state``, ``holderReport()`` and the unguarded
/// pair ``unsafeTryAcquire(count:fileID:line:function:)`` / ``unsafeRelease(count:)``) is implemented once, in this
/// protocol's extensions, on top of a few primitives that each type supplies: how it counts a holder in and out, how
/// it closes a generation and opens the next, and which ``RundownEngine`` completes its generations (its own, or for
/// ``CacheAwareRundownRef`` the shared engine its per-CPU slots fold into). Generic code takes
/// `borrowing some RundownProtecting & ~Copyable` to accept the embedded engine too, or `some RundownProtection` for the
/// classes, which add guards.
///
/// The primitives' names start with an underscore and take word units and acquisition records that only this module
/// makes: they are not API. Conforming a type of your own is not supported; a type that misses a primitive does not
/// compile, because none of them has a default.
///
/// ## Cost and memory ordering
/// Every closure form costs its type's acquire and release and nothing else: the extensions are inlined into the
/// caller and specialized for the concrete type. A successful acquisition is *acquiring*: everything before the last
/// ``reInitialize()`` (or `init`) is visible to the holder. A release is *releasing*: everything the holder did
/// happens-before any wait returning and any completion callback running. ``reInitialize()`` is *releasing*.
public protocol RundownProtecting: ~Copyable, Sendable {
    /// Adds `units` holders unless run-down has begun; records the holder at the site if the object records
    /// holders (as cancellable if `cancellable`). Never blocks, never allocates on the fast path.
    ///
    /// - Returns: What ``_release(units:_:)`` needs to release exactly this acquisition; `nil` if run-down has begun
    ///   (nothing was acquired then).
    borrowing func _acquire(
        units: UInt64,
        cancellable: Bool,
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) -> _RundownAcquisition?

    /// Removes the `units` holders that `acquisition` added.
    borrowing func _release(units: UInt64, _ acquisition: _RundownAcquisition)

    /// Adds `units` holders for the unguarded pair, whose release cannot name its acquisition.
    borrowing func _acquireUnguarded(units: UInt64, fileID: StaticString, line: UInt, function: StaticString) -> Bool

    /// Removes `units` holders of the unguarded pair.
    borrowing func _releaseUnguarded(units: UInt64)

    /// Closes the current generation to new holders if it is open (completing it if no holder remains).
    ///
    /// - Returns: The generation that is now running down (or has completed), and whether this call closed it.
    borrowing func _beginRundown() -> (generation: UInt32, began: Bool)

    /// Opens the next generation after the current one completed; traps with a message naming the state otherwise.
    borrowing func _reInitialize()

    /// The state, for diagnostics.
    var _state: RundownState { get }

    /// Runs `body` with the engine that completes this object's generations: waits, callbacks, cancellation
    /// requests and holder records live there.
    borrowing func _withCompletionEngine<Result>(_ body: (borrowing RundownEngine) throws -> Result) rethrows -> Result

    /// Runs the asynchronous `body` with the engine that completes this object's generations.
    borrowing func _withCompletionEngineAsync<Result>(
        _ body: (borrowing RundownEngine) async throws -> Result
    ) async rethrows -> Result
}

/// What a successful acquisition hands to its release: where it counted and, if holders are recorded, its record.
///
/// Made only by this module's run-down types (the primitives of ``RundownProtecting``); not API.
public struct _RundownAcquisition: Sendable {
    /// The per-CPU slot the acquisition counted in (``CacheAwareRundownRef`` on atomic slots, and its guards); zero
    /// elsewhere.
    @usableFromInline
    let slot: Int

    /// The holder's record, or ``HolderToken/unrecorded``.
    @usableFromInline
    let token: HolderToken

    @inlinable
    @inline(__always)
    init(slot: Int = 0, token: HolderToken) {
        self.slot = slot
        self.token = token
    }
}
