// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization

/// Carries a ``RundownGuard`` (non-copyable) into an escaping closure, another thread or a task.
final class GuardBox: Sendable {
    private let slot: Mutex<RundownGuard?>

    init(_ guardValue: consuming RundownGuard) {
        slot = Mutex(Optional(guardValue))
    }

    /// Releases the guard now; a second call does nothing.
    func release() {
        let taken = slot.withLock { $0.take() }
        taken?.release()
    }
}
