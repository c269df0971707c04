// SPDX-License-Identifier: Apache-2.0
/// A thread pinned to one CPU that runs the jobs given to it one at a time, for the life of the process.
///
/// The latency benchmarks run their waker and blocking waiter on two of these rather than on new threads, so that
/// stacks and caches are warm as in a long-running program: a new thread takes page faults on every stack page it
/// touches first, and a waker whose wake path is deeper would pay for that inside the measured interval.
final class PinnedWorker: @unchecked Sendable {
    // `@unchecked Sendable`: `job` and `busy` are only touched with `mutex` held.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var job: (@Sendable () -> Void)?
    private var busy = false

    /// Starts the worker's thread, pinned to `cpu` where the platform allows.
    init(cpu: Int) {
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init")
        precondition(pthread_cond_init(condition, nil) == 0, "pthread_cond_init")
        _ = BenchmarkThread.start(pinnedTo: cpu) { [self] in
            while true {
                let next = waitForJob()
                next()
                finishJob()
            }
        }
    }

    /// Hands `body` to the worker; the worker must be idle (see ``waitUntilIdle()``).
    func run(_ body: @escaping @Sendable () -> Void) {
        withLock {
            precondition(!busy, "PinnedWorker is busy")
            job = body
            busy = true
        }
        precondition(pthread_cond_broadcast(condition) == 0, "pthread_cond_broadcast")
    }

    /// Blocks until the worker has finished the job it was given.
    func waitUntilIdle() {
        withLock {
            while busy {
                precondition(pthread_cond_wait(condition, mutex) == 0, "pthread_cond_wait")
            }
        }
    }

    private func waitForJob() -> @Sendable () -> Void {
        withLock {
            while job == nil {
                precondition(pthread_cond_wait(condition, mutex) == 0, "pthread_cond_wait")
            }
            return job!
        }
    }

    private func finishJob() {
        withLock {
            job = nil
            busy = false
        }
        precondition(pthread_cond_broadcast(condition) == 0, "pthread_cond_broadcast")
    }

    private func withLock<T>(_ body: () -> T) -> T {
        precondition(pthread_mutex_lock(mutex) == 0, "pthread_mutex_lock")
        defer { precondition(pthread_mutex_unlock(mutex) == 0, "pthread_mutex_unlock") }
        return body()
    }
}
