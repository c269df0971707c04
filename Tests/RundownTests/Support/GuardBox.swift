// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization

/// Carries a ``RundownGuard`` (non-copyable) into an escaping closure, another thread or a task.
final class GuardBox: Sendable {
    private let slot: Mutex<RundownGuard?>

    /// The number of holders the guard releases, as the guard reported it.
    let count: Int

    init(_ guardValue: consuming RundownGuard) {
        count = guardValue.count
        slot = Mutex(Optional(guardValue))
    }

    /// Releases the guard now, with its `release()`; a second call does nothing.
    func release() {
        let taken = slot.withLock { $0.take() }
        taken?.release()
    }

    /// Ends the guard's life without calling `release()`, so that its `deinit` releases; a second call does nothing.
    func drop() {
        _ = slot.withLock { $0.take() }
    }
}
