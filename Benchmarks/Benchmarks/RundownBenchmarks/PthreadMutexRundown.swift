// SPDX-License-Identifier: Apache-2.0
/// Hand-rolled run-down protection, NIOLock style: a holder count and a closed flag behind a pthread mutex, the
/// run-down waiter on a pthread condition variable. State lives in allocated memory, as in `NIOLockedValueBox`,
/// so there is no exclusivity checking on the fast path.
final class PthreadMutexRundown: SyncRundownContender, @unchecked Sendable {
    // `@unchecked Sendable`: `state` is only touched with `mutex` held.
    static var label: String { "pthread mutex count" }

    private struct State {
        var holders = 0
        var closed = false
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let state = UnsafeMutablePointer<State>.allocate(capacity: 1)

    init() {
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init")
        precondition(pthread_cond_init(condition, nil) == 0, "pthread_cond_init")
        state.initialize(to: State())
    }

    deinit {
        precondition(pthread_cond_destroy(condition) == 0, "pthread_cond_destroy")
        precondition(pthread_mutex_destroy(mutex) == 0, "pthread_mutex_destroy")
        state.deinitialize(count: 1)
        state.deallocate()
        condition.deallocate()
        mutex.deallocate()
    }

    @inline(__always)
    private func withLock<T>(_ body: (inout State) -> T) -> T {
        precondition(pthread_mutex_lock(mutex) == 0, "pthread_mutex_lock")
        defer { precondition(pthread_mutex_unlock(mutex) == 0, "pthread_mutex_unlock") }
        return body(&state.pointee)
    }

    @inline(__always)
    func tryAcquire() -> Bool {
        withLock { state in
            if state.closed { return false }
            state.holders += 1
            return true
        }
    }

    @inline(__always)
    func release() {
        withLock { state in
            state.holders -= 1
            if state.closed, state.holders == 0 {
                precondition(pthread_cond_broadcast(condition) == 0, "pthread_cond_broadcast")
            }
        }
    }

    @inline(__always)
    func protectedNoOp() {
        guard tryAcquire() else { acquisitionFailed(Self.label) }
        release()
    }

    func runDown() {
        precondition(pthread_mutex_lock(mutex) == 0, "pthread_mutex_lock")
        state.pointee.closed = true
        while state.pointee.holders > 0 {
            precondition(pthread_cond_wait(condition, mutex) == 0, "pthread_cond_wait")
        }
        precondition(pthread_mutex_unlock(mutex) == 0, "pthread_mutex_unlock")
    }

    func canAcquire() -> Bool {
        guard tryAcquire() else { return false }
        release()
        return true
    }
}
