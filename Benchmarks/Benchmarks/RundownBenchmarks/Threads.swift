import CThreadAffinity

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread started by ``BenchmarkThread/start(pinnedTo:_:)``; join it exactly once.
struct BenchmarkThread {
    private final class Start {
        let body: @Sendable () -> Void

        init(_ body: @escaping @Sendable () -> Void) {
            self.body = body
        }
    }

    private let handle: pthread_t

    /// Starts a thread running `body`, first pinned to `cpu` where the platform allows (see ``pinCurrentThread(to:)``).
    static func start(pinnedTo cpu: Int?, _ body: @escaping @Sendable () -> Void) -> BenchmarkThread {
        let start = Start {
            if let cpu { pinCurrentThread(to: cpu) }
            body()
        }
        #if canImport(Darwin)
        var handle: pthread_t?
        #else
        var handle = pthread_t()
        #endif
        let result = pthread_create(
            &handle,
            nil,
            { argument in
                Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue().body()
                return nil
            },
            Unmanaged.passRetained(start).toOpaque()
        )
        precondition(result == 0, "pthread_create failed: \(result)")
        #if canImport(Darwin)
        return BenchmarkThread(handle: handle!)
        #else
        return BenchmarkThread(handle: handle)
        #endif
    }

    /// Waits for the thread to finish.
    func join() {
        let result = pthread_join(handle, nil)
        precondition(result == 0, "pthread_join failed: \(result)")
    }
}

/// The CPUs this process may run on, in ascending order; thread `i` of a throughput benchmark is pinned to
/// `usableCPUs[i % usableCPUs.count]`.
let usableCPUs: [Int] = {
    var cpus = [Int32](repeating: 0, count: 1_024)
    let count = Int(rundown_benchmarks_usable_cpus(&cpus, Int32(cpus.count)))
    if count > 0 { return cpus[..<count].map(Int.init) }
    return Array(0..<max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
}()

/// Pins the calling thread to `cpu` where the platform allows it (Linux); elsewhere does nothing.
func pinCurrentThread(to cpu: Int) {
    let result = rundown_benchmarks_pin_current_thread(Int32(cpu))
    precondition(result == 0 || result == ENOSYS, "pinning a thread to CPU \(cpu) failed: \(result)")
}

/// Nanoseconds on the monotonic clock; comparable across threads.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Sleeps the calling thread for about `microseconds`.
func sleepMicroseconds(_ microseconds: Int) {
    var request = timespec(tv_sec: microseconds / 1_000_000, tv_nsec: (microseconds % 1_000_000) * 1_000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 {
        request = remaining
    }
}
