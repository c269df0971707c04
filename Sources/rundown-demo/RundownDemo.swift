// The seed crate's example: 24 threads try to acquire run-down protection while the main thread runs the object
// down. Threads that got in before the run-down finish their work; threads that came later are refused.
import Rundown
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
enum RundownDemo {
    static func main() {
        let rundown = RundownRef()
        let console = Console()
        let threads = (1..<25).map { number in
            startThread {
                // Stagger the threads so that some arrive after the run-down began.
                usleep(UInt32(number) * 2_000)
                do {
                    let guardValue = try rundown.tryAcquire()
                    console.say("\(number): Run-down protection acquired.")
                    usleep(20_000)  // Work while holding protection.
                    console.say("\(number): Releasing run-down protection.")
                    guardValue.release()
                } catch {
                    console.say("\(number): Failed to acquire run-down protection - \(error)")
                }
            }
        }
        usleep(20_000)
        console.say("0: Waiting for rundown to complete (state: \(rundown.state))")
        rundown.waitForRundown()
        console.say("0: Rundown complete (state: \(rundown.state))")
        for thread in threads {
            pthread_join(thread, nil)
        }
        console.summarize()
    }
}

/// Prints whole lines from many threads and counts what happened.
final class Console: Sendable {
    private let counts = Mutex((acquired: 0, refused: 0))

    func say(_ line: String) {
        counts.withLock { counts in
            if line.hasSuffix("acquired.") { counts.acquired += 1 }
            if line.contains("Failed") { counts.refused += 1 }
            print(line)
        }
    }

    func summarize() {
        let (acquired, refused) = counts.withLock { ($0.acquired, $0.refused) }
        print("\(acquired) threads got protection before the run-down, \(refused) were refused after it began.")
    }
}

/// Starts `body` on a new POSIX thread.
func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
    #if canImport(Darwin)
    var thread: pthread_t?
    #else
    var thread = pthread_t()
    #endif
    let context = Unmanaged.passRetained(Body(body)).toOpaque()
    let result = pthread_create(
        &thread,
        nil,
        { context in
            Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        },
        context
    )
    precondition(result == 0, "pthread_create failed: \(result)")
    #if canImport(Darwin)
    return thread!
    #else
    return thread
    #endif
}
