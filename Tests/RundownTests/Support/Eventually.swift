// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// Polls `condition` until it holds or `timeout` passes, without blocking a thread of the cooperative pool.
///
/// Only for waiting on something the test expects to happen (a thread registering as a waiter, a woken waiter
/// returning); the timeout is a bound that turns a hang into a failure, not a timing assertion.
/// - Returns: Whether `condition` held before the timeout.
func eventually(within timeout: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    var polls = 0
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        polls += 1
        if polls < 64 {
            await Task.yield()
        } else {
            try? await Task.sleep(for: .microseconds(100))
        }
    }
    return true
}

/// A one-way flag: set once with *releasing* ordering, read with *acquiring* ordering, so whatever the setter did
/// before setting it is visible to a reader that sees it set.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() {
        value.store(true, ordering: .releasing)
    }

    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// The value of `task` once it finishes, or `nil` if it has not finished within `timeout` (it is left running).
///
/// For tasks whose finishing is what a test checks (a waiter that must be woken), so that a lost wake-up fails
/// the test instead of hanging it.
func value<T: Sendable>(of task: Task<T, Never>, within timeout: Duration = .seconds(60)) async -> T? {
    let result = ResultSlot<T>()
    Task { result.store(await task.value) }
    guard await eventually(within: timeout, { result.isFilled }) else { return nil }
    return result.value
}

/// A value delivered once from another task.
private final class ResultSlot<T: Sendable>: Sendable {
    private let slot = Mutex<T?>(nil)
    private let filled = Flag()

    func store(_ value: T) {
        slot.withLock { $0 = value }
        filled.set()
    }

    var isFilled: Bool { filled.isSet }
    var value: T? { slot.withLock { $0 } }
}
