// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization

/// What one caller saw.
struct CallTally: Sendable {
    var calls = 0
    /// Calls refused because the slot was retired (only at the very end).
    var refused = 0
    /// Calls whose answer did not come from the plugin the caller held (wrong identity or request bits).
    var wrongAnswers = 0
    var firstWrongAnswer: String?

    mutating func merge(_ other: CallTally) {
        calls += other.calls
        refused += other.refused
        wrongAnswers += other.wrongAnswers
        firstWrongAnswer = firstWrongAnswer ?? other.firstWrongAnswer
    }

    /// Counts one answer, checking it against the plugin that gave it.
    mutating func check(_ answer: UInt64, to request: UInt64, from plugin: LoadedPlugin) {
        calls += 1
        let expected = plugin.expectedAnswer(to: request)
        guard answer != expected else { return }
        wrongAnswers += 1
        if firstWrongAnswer == nil {
            firstWrongAnswer =
                "request \(request) to generation \(plugin.generation) (identity \(plugin.identity)) answered "
                + "\(String(answer, radix: 16)), expected \(String(expected, radix: 16))"
        }
    }
}

/// Tells the callers when to stop.
final class CallerControl: Sendable {
    private let stopped = Atomic<Bool>(false)
    var isStopped: Bool { stopped.load(ordering: .relaxed) }
    func stop() { stopped.store(true, ordering: .relaxed) }
}

/// A caller on its own thread: calls the current plugin in a loop, one protected call at a time.
func callFromThread(_ slot: some PluginSlot, caller: Int, work: UInt64, control: CallerControl) -> CallTally {
    var tally = CallTally()
    var request = UInt64(caller) << 40
    while !control.isStopped {
        request += 1
        let outcome = slot.withCurrent { plugin in (plugin, plugin.call(request, work: work)) }
        guard let (plugin, answer) = outcome else {
            tally.refused += 1
            continue
        }
        tally.check(answer, to: request, from: plugin)
    }
    return tally
}

/// A caller task: holds the plugin across a suspension, and calls it before and after (both calls must reach the
/// same plugin, which must stay loaded meanwhile).
func callFromTask(_ slot: some PluginSlot, caller: Int, work: UInt64, control: CallerControl) async -> CallTally {
    var tally = CallTally()
    var request = UInt64(caller) << 40
    while !control.isStopped {
        request += 2
        let first = request - 1
        let second = request
        let outcome = await slot.holdingCurrent { plugin -> CallTally in
            var inside = CallTally()
            inside.check(plugin.call(first, work: work), to: first, from: plugin)
            await Task.yield()
            inside.check(plugin.call(second, work: work), to: second, from: plugin)
            return inside
        }
        guard let outcome else {
            tally.refused += 1
            await Task.yield()
            continue
        }
        tally.merge(outcome)
    }
    return tally
}

/// Starts `count` caller threads; ``join()`` waits for them and sums what they saw.
final class CallerThreads: Sendable {
    private let finished = DispatchGroup()
    private let tallies = Mutex<CallTally>(CallTally())

    init(count: Int, _ body: @escaping @Sendable (Int) -> CallTally) {
        for caller in 0..<count {
            finished.enter()
            let thread = Thread { [self] in
                let tally = body(caller)
                tallies.withLock { $0.merge(tally) }
                finished.leave()
            }
            thread.name = "plugin caller \(caller)"
            thread.start()
        }
    }

    func join() -> CallTally {
        finished.wait()
        return tallies.withLock { $0 }
    }
}
