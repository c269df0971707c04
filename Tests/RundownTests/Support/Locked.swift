// SPDX-License-Identifier: Apache-2.0

/// A value behind a pthread mutex, for test bookkeeping that several threads or tasks update at once.
///
/// Not a `Synchronization.Mutex`: ThreadSanitizer reports false races on a contended `Mutex`, and it understands
/// pthread mutexes.
final class Locked<Value>: @unchecked Sendable {
    // `@unchecked Sendable`: `value` is read and written only with `mutex` held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, under the lock.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
