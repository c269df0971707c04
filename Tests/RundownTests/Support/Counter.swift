// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// A shared atomic counter that escaping closures and tasks can capture.
final class Counter: Sendable {
    private let storage: Atomic<Int>

    init(_ initial: Int = 0) {
        storage = Atomic(initial)
    }

    /// The current value (a relaxed load).
    var value: Int { storage.load(ordering: .relaxed) }

    /// Adds `amount` (relaxed) and returns the new value.
    @discardableResult
    func add(_ amount: Int = 1) -> Int {
        storage.add(amount, ordering: .relaxed).newValue
    }
}
