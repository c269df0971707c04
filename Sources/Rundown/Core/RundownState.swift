// SPDX-License-Identifier: Apache-2.0

/// A snapshot of a run-down object's state, for diagnostics.
///
/// The snapshot is racy by nature: other threads may acquire, release or run down the object the moment after it
/// was taken. Use it for logging, metrics and tests, never to decide whether to acquire (call `tryAcquire()` and
/// handle ``RundownError/rundownInProgress`` instead).
public enum RundownState: Equatable, Sendable {
    /// Run-down has not begun; `holders` threads or tasks hold protection. Acquisition succeeds.
    case active(holders: Int)
    /// Run-down has begun and `holders` (more than zero) holders remain. Acquisition fails.
    case runningDown(holders: Int)
    /// Run-down has completed: no holders remain, acquisition fails, every wait returns at once.
    case completed
}

extension RundownState: CustomStringConvertible {
    /// The state in words, e.g. `running down (3 holders)`.
    public var description: String {
        switch self {
        case .active(let holders): "active (\(holders) holders)"
        case .runningDown(let holders): "running down (\(holders) holders)"
        case .completed: "completed"
        }
    }
}

extension RundownState {
    /// The holders inside, in any state.
    var holderCount: Int {
        switch self {
        case .active(let holders), .runningDown(let holders): holders
        case .completed: 0
        }
    }
}
