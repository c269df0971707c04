// SPDX-License-Identifier: Apache-2.0

/// A lock that holds its state, with one condition variable: the state can only be reached with the lock held.
///
/// In the spirit of `ManagedCriticalState` (swift-async-algorithms) and `NIOLockedValueBox` (swift-nio): the
/// protected state lives inside the lock, so the types that use it need no `@unchecked Sendable` of their own. A
/// pthread mutex and condition variable rather than `Synchronization.Mutex`, because ThreadSanitizer understands
/// pthread primitives and reports false races on a contended `Mutex`. One allocation holds the state and both
/// primitives (a `ManagedBuffer` whose tail is the primitives, so their addresses never move).
///
/// Used on slow paths only: the waiter store of a run-down object and the writers' turnstile of
/// ``RundownProtected``.
struct ConditionLock<State> {
    typealias Primitives = ConditionLockPrimitives

    /// The one allocation: the state in the header, the primitives in the tail.
    private final class Storage: ManagedBuffer<State, Primitives> {
        // `ManagedBuffer` destroys the header (the state) itself; the tail is this class's to destroy.
        deinit {
            withUnsafeMutablePointerToElements { primitives in
                Platform.destroy(ConditionLock.conditionOf(primitives))
                Platform.destroy(ConditionLock.mutexOf(primitives))
                primitives.deinitialize(count: 1)
            }
        }
    }

    private let storage: Storage

    /// Creates a lock holding `initialState`.
    init(_ initialState: State) {
        let buffer = Storage.create(minimumCapacity: 1) { _ in initialState }
        storage = unsafeDowncast(buffer, to: Storage.self)
        storage.withUnsafeMutablePointerToElements { primitives in
            primitives.initialize(to: Primitives())
            Platform.initialize(Self.mutexOf(primitives))
            Platform.initialize(Self.conditionOf(primitives))
        }
    }

    /// Runs `body` with the state, the lock held. Never wait inside `body`: use ``withLock(waitingUntil:_:)``.
    func withLock<Result: ~Copyable, Failure: Error>(
        _ body: (inout State) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try storage.withUnsafeMutablePointers { (state, primitives) throws(Failure) -> Result in
            Platform.lock(Self.mutexOf(primitives))
            defer { Platform.unlock(Self.mutexOf(primitives)) }
            return try body(&state.pointee)
        }
    }

    /// Runs `step` with the state, the lock held, until it returns a result; between two runs the thread waits on
    /// the condition variable (unlocked) for ``broadcast()``, or for `deadline`.
    ///
    /// `step` gets `true` as its second argument once the deadline has passed; it must then return a result. Each
    /// run is a fresh access to the state: nothing is kept in registers across the wait, during which other
    /// threads change the state.
    func withLock<Result>(
        waitingUntil deadline: MonotonicDeadline?,
        _ step: (inout State, _ deadlinePassed: Bool) -> Result?
    ) -> Result {
        storage.withUnsafeMutablePointers { state, primitives in
            let mutex = Self.mutexOf(primitives)
            let condition = Self.conditionOf(primitives)
            Platform.lock(mutex)
            defer { Platform.unlock(mutex) }
            var deadlinePassed = false
            while true {
                if let result = step(&state.pointee, deadlinePassed) { return result }
                if let deadline {
                    deadlinePassed = !Platform.wait(condition, mutex, untilNanoseconds: deadline.nanoseconds)
                } else {
                    Platform.wait(condition, mutex)
                }
            }
        }
    }

    /// What a step of ``withLockStepping(_:)`` decides.
    enum Step<Result> {
        /// Done: unlock and return this.
        case done(Result)
        /// Wait on the condition variable (unlocked) until ``broadcast()`` or the monotonic clock reads this many
        /// nanoseconds (`nil`: no deadline), then run the step again.
        case wait(untilNanoseconds: Int64?)
    }

    /// Runs `step` with the state, the lock held, until it is done; between two runs the thread waits as the step
    /// says, so that each run may choose its own deadline (a timer thread waits for whichever deadline is earliest
    /// now).
    func withLockStepping<Result>(_ step: (inout State) -> Step<Result>) -> Result {
        storage.withUnsafeMutablePointers { state, primitives in
            let mutex = Self.mutexOf(primitives)
            let condition = Self.conditionOf(primitives)
            Platform.lock(mutex)
            defer { Platform.unlock(mutex) }
            while true {
                switch step(&state.pointee) {
                case .done(let result):
                    return result
                case .wait(untilNanoseconds: let deadline?):
                    _ = Platform.wait(condition, mutex, untilNanoseconds: deadline)
                case .wait(untilNanoseconds: nil):
                    Platform.wait(condition, mutex)
                }
            }
        }
    }

    /// Wakes every thread waiting in ``withLock(waitingUntil:_:)``; call it after unlocking. Needs no lock.
    func broadcast() {
        storage.withUnsafeMutablePointerToElements { primitives in
            Platform.broadcast(Self.conditionOf(primitives))
        }
    }

    fileprivate static func mutexOf(
        _ primitives: UnsafeMutablePointer<Primitives>
    ) -> UnsafeMutablePointer<Platform.Mutex> {
        UnsafeMutableRawPointer(primitives).advanced(by: MemoryLayout<Primitives>.offset(of: \.mutex)!)
            .assumingMemoryBound(to: Platform.Mutex.self)
    }

    fileprivate static func conditionOf(
        _ primitives: UnsafeMutablePointer<Primitives>
    ) -> UnsafeMutablePointer<Platform.Condition> {
        UnsafeMutableRawPointer(primitives).advanced(by: MemoryLayout<Primitives>.offset(of: \.condition)!)
            .assumingMemoryBound(to: Platform.Condition.self)
    }
}

/// The mutex and the condition variable of a ``ConditionLock``, in its buffer's tail.
struct ConditionLockPrimitives {
    var mutex = Platform.Mutex()
    var condition = Platform.Condition()
}

// `@unchecked Sendable`: the state is only reached inside `withLock`, with the mutex held, and the primitives are
// raw memory (in a `ManagedBuffer`, which is never `Sendable` itself) used only through the pthread calls, which are
// thread-safe. As with `Mutex`, the state must itself be `Sendable` to be handed from thread to thread this way.
extension ConditionLock: @unchecked Sendable where State: Sendable {}
