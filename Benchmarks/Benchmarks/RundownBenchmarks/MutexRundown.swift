// SPDX-License-Identifier: Apache-2.0
import Dispatch
import Synchronization

/// Hand-rolled run-down protection with the standard library: a holder count and a closed flag in a
/// `Synchronization.Mutex`; the run-down waiter parks on a semaphore that the last release signals.
final class MutexRundown: SyncRundownContender {
    static var label: String { "Mutex<count+closed>" }

    private struct State {
        var holders = 0
        var closed = false
        var waiter: DispatchSemaphore?
    }

    private let state = Mutex(State())

    init() {}

    @inline(__always)
    func tryAcquire() -> Bool {
        state.withLock { state in
            if state.closed { return false }
            state.holders += 1
            return true
        }
    }

    @inline(__always)
    func release() {
        let waiter: DispatchSemaphore? = state.withLock { state in
            state.holders -= 1
            guard state.closed, state.holders == 0 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.signal()
    }

    @inline(__always)
    func protectedNoOp() {
        guard tryAcquire() else { acquisitionFailed(Self.label) }
        release()
    }

    func runDown() {
        let semaphore = DispatchSemaphore(value: 0)
        let mustWait = state.withLock { state in
            state.closed = true
            guard state.holders > 0 else { return false }
            state.waiter = semaphore
            return true
        }
        if mustWait { semaphore.wait() }
    }

    func canAcquire() -> Bool {
        guard tryAcquire() else { return false }
        release()
        return true
    }
}
