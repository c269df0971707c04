// SPDX-License-Identifier: Apache-2.0

/// Hand-rolled run-down protection with a pthread read-write lock: a holder takes the read lock with
/// `pthread_rwlock_tryrdlock` (failing instead of blocking), run-down takes the write lock and keeps it.
///
/// On glibc the lock prefers writers (`PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP`, see ``preferWriters(_:)``),
/// so new readers fail as soon as run-down waits; with the default (readers preferred) a busy object would never
/// run down. A read lock must
/// be released by the thread that took it, so unlike a ``Rundown/RundownGuard`` the protection cannot be handed to
/// another thread or task.
final class ReadWriteLockRundown: SyncRundownContender, @unchecked Sendable {
    // `@unchecked Sendable`: the lock is thread-safe; `closed` is only written by the one run-down.
    static var label: String { "pthread rwlock tryrdlock" }

    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    private var closed = false

    init() {
        var attributes = pthread_rwlockattr_t()
        precondition(pthread_rwlockattr_init(&attributes) == 0, "pthread_rwlockattr_init")
        preferWriters(&attributes)
        precondition(pthread_rwlock_init(lock, &attributes) == 0, "pthread_rwlock_init")
        precondition(pthread_rwlockattr_destroy(&attributes) == 0, "pthread_rwlockattr_destroy")
    }

    deinit {
        if closed {
            precondition(pthread_rwlock_unlock(lock) == 0, "pthread_rwlock_unlock")
        }
        precondition(pthread_rwlock_destroy(lock) == 0, "pthread_rwlock_destroy")
        lock.deallocate()
    }

    @inline(__always)
    func protectedNoOp() {
        guard pthread_rwlock_tryrdlock(lock) == 0 else { acquisitionFailed(Self.label) }
        precondition(pthread_rwlock_unlock(lock) == 0, "pthread_rwlock_unlock")
    }

    func runDown() {
        precondition(pthread_rwlock_wrlock(lock) == 0, "pthread_rwlock_wrlock")
        closed = true
    }

    func canAcquire() -> Bool {
        guard pthread_rwlock_tryrdlock(lock) == 0 else { return false }
        precondition(pthread_rwlock_unlock(lock) == 0, "pthread_rwlock_unlock")
        return true
    }
}
