// SPDX-License-Identifier: Apache-2.0

// The continuation a suspended waiter hands over: checked in debug builds, so that the tests catch a continuation
// resumed twice or never, and unsafe in optimized builds, where the state machines' exactly-once resumption is
// what the tests proved and the completing release should not pay for the check on its way to the wake-up.

#if DEBUG
/// A suspended waiter's continuation; resumed with `true` when signalled, `false` when it gave up.
typealias WaiterContinuation = CheckedContinuation<Bool, Never>

/// Suspends the calling task, handing its continuation to `body`.
@inline(__always)
func withWaiterContinuation(_ body: (WaiterContinuation) -> Void) async -> Bool {
    await withCheckedContinuation(body)
}
#else
/// A suspended waiter's continuation; resumed with `true` when signalled, `false` when it gave up.
typealias WaiterContinuation = UnsafeContinuation<Bool, Never>

/// Suspends the calling task, handing its continuation to `body`.
@inline(__always)
func withWaiterContinuation(_ body: (WaiterContinuation) -> Void) async -> Bool {
    await withUnsafeContinuation(body)
}
#endif
