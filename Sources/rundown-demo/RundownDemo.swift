// SPDX-License-Identifier: Apache-2.0
// The seed crate's example: 24 threads try to acquire run-down protection while the main thread runs the object
// down. Threads that got in before the run-down finish their work; threads that came later are refused.
//
// Threads come from Foundation, which is the same on every platform Swift runs on, so the demo needs no
// platform-specific code.
import Foundation
import Rundown
import Synchronization

@main
enum RundownDemo {
    static func main() {
        let rundown = RundownRef()
        let console = Console()
        let finished = DispatchGroup()
        for number in 1..<25 {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                // Stagger the threads so that some arrive after the run-down began.
                Thread.sleep(forTimeInterval: Double(number) * 0.002)
                do {
                    let guardValue = try rundown.tryAcquire()
                    console.say("\(number): Run-down protection acquired.")
                    Thread.sleep(forTimeInterval: 0.02)  // Work while holding protection.
                    console.say("\(number): Releasing run-down protection.")
                    guardValue.release()
                } catch {
                    console.say("\(number): Failed to acquire run-down protection - \(error)")
                }
            }
        }
        Thread.sleep(forTimeInterval: 0.02)
        console.say("0: Waiting for rundown to complete (state: \(rundown.state))")
        rundown.waitForRundown()
        console.say("0: Rundown complete (state: \(rundown.state))")
        finished.wait()
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
