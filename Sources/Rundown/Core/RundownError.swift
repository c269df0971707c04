// SPDX-License-Identifier: Apache-2.0

/// Why run-down protection could not be acquired.
public enum RundownError: Error, Equatable, Sendable {
    /// The object is running down (or has completed run-down and was not re-initialized): new holders are refused
    /// until ``RundownRef/reInitialize()``.
    case rundownInProgress
}
