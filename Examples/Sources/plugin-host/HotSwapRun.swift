// SPDX-License-Identifier: Apache-2.0
import Foundation

/// One run of the host: callers on threads and in tasks, a swapper that loads, publishes and unloads plugins, and
/// the checks of what they saw.
struct HotSwapRun {
    let options: PluginHost.Options

    /// The figures and the failed checks of a run.
    struct Report {
        var summary: String
        var failures: [String]
    }

    func run() async throws -> Report {
        let first = try LoadedPlugin(path: options.plugins[0], generation: 1)
        if options.unprotected {
            disableCoreDumps()
            return try await run(UnprotectedPluginSlot(first))
        }
        return try await run(ProtectedPluginSlot(first))
    }

    private func run(_ slot: some PluginSlot) async throws -> Report {
        let control = CallerControl()
        let work = options.work
        let started = ContinuousClock.now
        let threads = CallerThreads(count: options.threads) { caller in
            callFromThread(slot, caller: caller, work: work, control: control)
        }
        let taskCount = options.tasks
        let threadCount = options.threads
        let tasks = Task {
            await withTaskGroup(of: CallTally.self) { group in
                for caller in 0..<taskCount {
                    group.addTask {
                        await callFromTask(slot, caller: threadCount + caller, work: work, control: control)
                    }
                }
                return await group.reduce(into: CallTally()) { $0.merge($1) }
            }
        }

        var unloads: [LoadedPlugin.Unload] = []
        var failure: Error?
        for generation in 2...(options.swaps + 1) {
            do {
                let plugin = try LoadedPlugin(path: options.plugins[(generation - 1) % 2], generation: generation)
                unloads.append((await slot.replace(with: plugin)).unload())
            } catch {
                failure = error
                break
            }
        }
        let swapping = started.duration(to: .now)
        control.stop()
        var tally = threads.join()
        tally.merge(await tasks.value)
        if let last = await slot.retire() { unloads.append(last.unload()) }
        if let failure { throw failure }
        return Self.check(tally, unloads, swaps: unloads.count - 1, took: swapping, options: options)
    }

    private static func check(
        _ tally: CallTally,
        _ unloads: [LoadedPlugin.Unload],
        swaps: Int,
        took: Duration,
        options: PluginHost.Options
    ) -> Report {
        var failures: [String] = []
        if let wrong = tally.firstWrongAnswer {
            failures.append("\(tally.wrongAnswers) wrong answers; first: \(wrong)")
        }
        let inFlight = unloads.filter { $0.callsStarted != $0.callsAnswered }
        for unload in inFlight.prefix(5) {
            failures.append(
                "generation \(unload.generation) unloaded with calls inside: \(unload.callsStarted) started, "
                    + "\(unload.callsAnswered) answered"
            )
        }
        let late = unloads.filter { $0.callsAfterUnload != 0 }
        if !late.isEmpty { failures.append("\(late.count) generations were called after their unload") }
        let repeated = unloads.filter { !$0.wasFirstUnload }
        if !repeated.isEmpty { failures.append("\(repeated.count) generations were unloaded twice") }
        // Where dlclose never unmaps (musl), a library still mapped proves nothing: the check does not apply.
        let mapped = dlcloseUnmapsLibraries ? unloads.filter(\.stillMapped) : []
        if !mapped.isEmpty { failures.append("\(mapped.count) libraries were still mapped after dlclose") }
        let callsIntoPlugins = unloads.reduce(0) { $0 + $1.callsAnswered }
        if callsIntoPlugins != tally.calls {
            failures.append("the plugins answered \(callsIntoPlugins) calls; the callers counted \(tally.calls)")
        }
        if unloads.map(\.generation) != Array(1...(swaps + 1)) { failures.append("a generation was never unloaded") }
        let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) * 1e-18
        let summary = """
            plugin-host: \(swaps) swaps in \(String(format: "%.2f", seconds)) s \
            (\(Int(Double(swaps) / max(seconds, 1e-9))) a second), \(tally.calls) calls served \
            (\(options.threads) threads, \(options.tasks) tasks), \(unloads.count) unloads; wrong answers \
            \(tally.wrongAnswers), unloads with calls inside \(inFlight.count), calls after unload \
            \(late.reduce(0) { $0 + $1.callsAfterUnload }), \(
                dlcloseUnmapsLibraries
                    ? "libraries still mapped \(mapped.count)"
                    : "libraries still mapped: not checked (this C library's dlclose never unmaps a library)")
            """
        return Report(summary: summary, failures: failures)
    }
}
