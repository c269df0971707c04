// SPDX-License-Identifier: Apache-2.0
import CRundownSupport
import CRundownTestSupport
import Synchronization

/// A real OS thread for the package's tests and benchmarks, which need blocking threads rather than tasks on the
/// cooperative pool; one helper instead of one per test target.
///
/// Thread creation is in the C test-support target, whose one signature covers glibc, musl and Darwin.
public struct RundownTestThread: Sendable {
    private let handle: UInt

    /// Starts `body` on a new thread, pinned first to `cpu` where the platform can pin (see
    /// ``pinCurrentThread(to:)``).
    public init(pinnedTo cpu: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        let start = Start {
            if let cpu { _ = Self.pinCurrentThread(to: cpu) }
            body()
        }
        var handle: UInt = 0
        let result = c_rundown_test_thread_start(
            &handle,
            { context in Unmanaged<Start>.fromOpaque(context!).takeRetainedValue().body() },
            Unmanaged.passRetained(start).toOpaque()
        )
        guard result == 0 else { fatalError("starting a thread failed with error \(result)") }
        self.handle = handle
    }

    /// Waits for the thread to finish. Call it exactly once.
    public func join() {
        let result = c_rundown_test_thread_join(handle)
        guard result == 0 else { fatalError("joining a thread failed with error \(result)") }
    }

    /// Runs `body(i)` for `i` in `0..<count`, each on its own thread, all at once, and waits for all of them.
    public static func runConcurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let threads = (0..<count).map { index in RundownTestThread { body(index) } }
        for thread in threads { thread.join() }
    }

    /// Pins the calling thread to `cpu`.
    ///
    /// - Returns: `false` where the platform cannot pin threads (Apple platforms have no affinity API) or the CPU
    ///   is not available to the process; tests that need pinning are skipped then.
    @discardableResult
    public static func pinCurrentThread(to cpu: Int) -> Bool {
        c_rundown_test_pin_current_thread(Int32(cpu)) == 0
    }

    /// Names the calling thread, as holder reports and debuggers show it, truncated at a character boundary to
    /// what the platform keeps (Linux 15 bytes, Darwin 63).
    public static func nameCurrentThread(_ name: String) {
        c_rundown_test_set_thread_name(name)
    }

    /// The calling thread's name, as holder reports read it; empty if it has none.
    public static var currentThreadName: String {
        var buffer = [CChar](repeating: 0, count: 128)
        c_rundown_thread_name(&buffer, Int32(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether this platform can pin threads to CPUs at all. Tries on a thread of its own, which ends right after,
    /// so that asking pins no thread of the caller's.
    public static var canPinThreads: Bool {
        final class Outcome: Sendable {
            let pinned = Atomic<Bool>(false)
        }
        let outcome = Outcome()
        RundownTestThread {
            outcome.pinned.store(pinCurrentThread(to: max(currentCPU, 0)), ordering: .releasing)
        }
        .join()
        return outcome.pinned.load(ordering: .acquiring)
    }

    /// The calling thread's id as the system shows it (`gettid` on Linux, `pthread_threadid_np` on Darwin): a plain
    /// number on every platform, unlike `pthread_t`.
    public static var currentThreadID: UInt64 { c_rundown_thread_id() }

    /// The CPUs this process may run on, in ascending order; where the platform cannot tell, every configured
    /// processor.
    public static var usableCPUs: [Int] {
        var cpus = [Int32](repeating: 0, count: 1_024)
        let count = Int(c_rundown_test_usable_cpus(&cpus, Int32(cpus.count)))
        if count > 0 { return cpus[..<count].map(Int.init) }
        return Array(0..<processorCount)
    }

    /// The CPU the calling thread runs on, or -1 where the platform cannot tell.
    public static var currentCPU: Int { Int(c_rundown_current_cpu()) }

    /// The number of processors the system is configured with.
    public static var processorCount: Int { Int(c_rundown_test_processor_count()) }

    /// The bytes the allocator handed out for `object` (at least its instance size).
    public static func allocatedSize(of object: AnyObject) -> Int {
        c_rundown_test_allocated_size(Unmanaged.passUnretained(object).toOpaque())
    }

    private final class Start: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
