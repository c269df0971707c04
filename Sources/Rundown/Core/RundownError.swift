// SPDX-License-Identifier: Apache-2.0

/// Why run-down protection could not be acquired.
///
/// The one reason there is: the object is running down. Acquiring never fails for anything else (misuse traps,
/// it does not throw), so the `throws(RundownError)` of `tryAcquire()` tells a caller everything that can happen.
///
/// ## A closed enum, on purpose
/// `RundownError` is a plain enum, and it stays one: code may `switch` over it exhaustively, with no `default`, and
/// a typed `catch` needs no fallback. The price is that a new case would break such code, so a new way for
/// acquisition to fail would come only with a new major version (listed in the CHANGELOG). A struct of static
/// values, the usual way to keep an error type open, would force a `default` branch on every caller for a case
/// that cannot happen today; run-down protection has one failure by design (NT's
/// `ExAcquireRundownProtection` returns a Boolean), so the enum is the honest type.
public enum RundownError: Error, Equatable, Sendable {
    /// The object is running down (or has completed run-down and was not re-initialized): new holders are refused
    /// until ``RundownProtecting/reInitialize()``.
    case rundownInProgress
}
