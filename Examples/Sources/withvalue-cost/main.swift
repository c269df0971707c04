// What `RundownProtected.withValue` costs, compared in one process with the two things it is built from or
// replaces: a read through `Mutex<Value>.withLock`, and a bare `RundownRef.withProtection`. Also measured: the
// design `RundownProtected` avoided (a lock to copy out a reference to the current generation, then run-down
// protection on that generation), and the same reads from two threads at once.
//
// Run in release mode:  swift run --package-path Examples -c release withvalue-cost
// Wall-clock figures on a shared machine are noisy: compare the ratios, which come from interleaved rounds.
import Rundown
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The protected value: a small configuration object, read by reference.
final class Configuration: Sendable {
    let limit: Int
    init(limit: Int) { self.limit = limit }
}

/// One generation of the rejected design: the value with its own run-down protection.
final class Generation: Sendable {
    let value: Configuration
    let rundown = RundownRef()
    init(_ value: Configuration) { self.value = value }
}

let value = Configuration(limit: 3)
let mutex = Mutex(value)
let rundown = RundownRef()
let protected = RundownProtected(value)
let currentGeneration = Mutex(Generation(value))

/// The reads measured; each returns the configuration's `limit`.
enum Read: String, CaseIterable {
    case mutexWithLock = "Mutex<Value>.withLock (read)"
    case withProtection = "RundownRef.withProtection"
    case withValue = "RundownProtected.withValue"
    case lockedGeneration = "Mutex copy of generation + withProtection"

    @inline(never)
    func run(_ iterations: Int) -> Int {
        var sum = 0
        switch self {
        case .mutexWithLock:
            for _ in 0..<iterations { sum &+= mutex.withLock { $0.limit } }
        case .withProtection:
            for _ in 0..<iterations { sum &+= (try? rundown.withProtection { value.limit }) ?? 0 }
        case .withValue:
            for _ in 0..<iterations { sum &+= (try? protected.withValue { $0.limit }) ?? 0 }
        case .lockedGeneration:
            for _ in 0..<iterations {
                let generation = currentGeneration.withLock { $0 }
                sum &+= (try? generation.rundown.withProtection { generation.value.limit }) ?? 0
            }
        }
        return sum
    }
}

/// Nanoseconds per read on one thread.
func timeOneThread(_ read: Read, iterations: Int) -> Double {
    let clock = ContinuousClock()
    var sum = 0
    let elapsed = clock.measure { sum = read.run(iterations) }
    precondition(sum == 3 * iterations)
    return nanoseconds(elapsed) / Double(iterations)
}

/// Nanoseconds per read (wall clock / reads of one thread) while `threads` threads read at once.
func timeThreads(_ read: Read, threads: Int, iterations: Int) -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    var handles: [pthread_t] = []
    for _ in 0..<threads {
        let box = Unmanaged.passRetained(ReadJob(read: read, iterations: iterations)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(
            &handle,
            nil,
            { context in
                let job = Unmanaged<ReadJob>.fromOpaque(context!).takeRetainedValue()
                precondition(job.read.run(job.iterations) == 3 * job.iterations)
                return nil
            },
            box
        )
        precondition(result == 0)
        handles.append(handle)
    }
    for handle in handles { pthread_join(handle, nil) }
    return nanoseconds(start.duration(to: clock.now)) / Double(iterations)
}

final class ReadJob: @unchecked Sendable {
    let read: Read
    let iterations: Int
    init(read: Read, iterations: Int) {
        self.read = read
        self.iterations = iterations
    }
}

func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}

func report(_ title: String, _ best: [Read: Double]) {
    print(title)
    let mutexCost = best[.mutexWithLock]!
    let protectionCost = best[.withProtection]!
    for read in Read.allCases {
        let cost = best[read]!
        let line =
            "  \(read.rawValue)\(String(repeating: " ", count: max(0, 44 - read.rawValue.count)))"
            + " \(format(cost)) ns/read   x\(format(cost / mutexCost)) of Mutex   x\(format(cost / protectionCost)) of withProtection"
        print(line)
    }
}

func format(_ number: Double) -> String {
    let hundredths = Int((number * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

let rounds = 7
let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 10_000_000
print("\(rounds) interleaved rounds of \(iterations) reads each; best round per read")

var single: [Read: Double] = [:]
var contended: [Read: Double] = [:]
for _ in 0..<rounds {
    for read in Read.allCases {
        single[read] = min(single[read] ?? .infinity, timeOneThread(read, iterations: iterations))
        contended[read] = min(
            contended[read] ?? .infinity,
            timeThreads(read, threads: 2, iterations: iterations / 4)
        )
    }
}
report("one thread:", single)
report("two threads reading at once (wall time / reads per thread):", contended)
