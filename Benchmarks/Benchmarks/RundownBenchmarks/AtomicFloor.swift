// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// The floor: one atomic add and one atomic subtract on one word (`lock xadd` and `lock sub` on x86-64), the
/// least any shared holder count costs.
///
/// Not run-down protection (nothing refuses new holders); every ratio in the comparison table is to this,
/// measured in the same run with the same number of threads. The wrapping operations, because `Atomic.add` and
/// `Atomic.subtract` trap on overflow and compile to a compare-and-swap loop instead (see ``CheckedAtomicPair``).
final class AtomicFloor: SyncContender {
    static var label: String { "Floor: Atomic add+subtract" }

    let word = Atomic<UInt64>(0)

    init() {}

    @inline(__always)
    func protectedNoOp() {
        word.wrappingAdd(1, ordering: .acquiring)
        word.wrappingSubtract(1, ordering: .releasing)
    }
}

/// The overflow-checked `Atomic.add` and `Atomic.subtract`: each a load and a compare-and-swap loop with the
/// overflow check inside it. For reference next to the floor; not run-down protection.
final class CheckedAtomicPair: SyncContender {
    static var label: String { "Atomic checked add+subtract" }

    let word = Atomic<UInt64>(0)

    init() {}

    @inline(__always)
    func protectedNoOp() {
        word.add(1, ordering: .acquiring)
        word.subtract(1, ordering: .releasing)
    }
}

/// ``AtomicFloor`` in tasks, the floor of the asynchronous throughput benchmarks.
final class AsyncAtomicFloor: AsyncContender {
    static var label: String { AtomicFloor.label }

    let word = Atomic<UInt64>(0)

    init() {}

    @inline(__always)
    func protectedNoOp() async {
        word.wrappingAdd(1, ordering: .acquiring)
        word.wrappingSubtract(1, ordering: .releasing)
    }
}
