#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real OS thread for tests that need blocking threads (not tasks on the cooperative pool).
struct TestThread {
    private let handle: pthread_t

    /// Starts `body` on a new thread.
    init(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        #if canImport(Darwin)
        var handle: pthread_t?
        #else
        var handle = pthread_t()
        #endif
        let result = pthread_create(
            &handle,
            nil,
            { context in
                Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().body()
                return nil
            },
            context
        )
        precondition(result == 0, "pthread_create failed: \(result)")
        #if canImport(Darwin)
        self.handle = handle!
        #else
        self.handle = handle
        #endif
    }

    /// Waits for the thread to finish.
    func join() {
        let result = pthread_join(handle, nil)
        precondition(result == 0, "pthread_join failed: \(result)")
    }

    /// Runs `body(i)` for `i` in `0..<count`, each on its own thread, all at once, and waits for all of them.
    static func runConcurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let threads = (0..<count).map { index in TestThread { body(index) } }
        for thread in threads { thread.join() }
    }
}

private final class ThreadBody: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// Sleeps the calling thread briefly: only to give other threads a chance to run, never for correctness.
func yieldBriefly(microseconds: UInt32 = 200) {
    usleep(microseconds)
}
