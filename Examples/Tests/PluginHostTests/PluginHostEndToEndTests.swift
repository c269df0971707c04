// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// The real `plugin-host` binary and its two plugin libraries (`libPluginAlpha`, `libPluginBeta`), run as child
/// processes.
@Suite("plugin-host end to end", .serialized)
struct PluginHostEndToEndTests {
    @Test(
        "1,000 hot swaps under load from threads and tasks: every call answered by a loaded plugin, every unload after its last call",
        .timeLimit(.minutes(5))
    )
    func thousandSwapsUnderLoad() async throws {
        let run = try await HostRun(
            arguments: ["--swaps", "1000", "--threads", "2", "--tasks", "2"],
            timeout: .seconds(240)
        )
        print(run.summary ?? "plugin-host printed no summary:\n\(run.output)")
        #expect(run.exit == .exited(0), "plugin-host output:\n\(run.output)")
        let figures = try #require(run.figures, "no summary line in:\n\(run.output)")
        #expect(figures["swaps"] == 1_000)
        #expect(figures["unloads"] == 1_001)
        #expect((figures["calls served"] ?? 0) > 10_000)
        #expect(figures["wrong answers"] == 0)
        #expect(figures["unloads with calls inside"] == 0)
        #expect(figures["calls after unload"] == 0)
        if dlcloseUnmapsLibraries {
            #expect(figures["libraries still mapped"] == 0)
        }
    }

    @Test(
        "the control: the same host with protection off unloads code under its callers and dies of SIGSEGV or SIGBUS",
        .enabled(if: dlcloseUnmapsLibraries, "musl's dlclose never unmaps a library, so nothing can fault"),
        .timeLimit(.minutes(2))
    )
    func unprotectedControlCrashes() async throws {
        let started = ContinuousClock.now
        let run = try await HostRun(arguments: ["--unprotected", "--swaps", "1000000"], timeout: .seconds(60))
        print("plugin-host --unprotected: \(run.exit) after \(started.duration(to: .now))")
        #expect(
            run.exit == .signalled(SIGSEGV) || run.exit == .signalled(SIGBUS),
            "plugin-host --unprotected must crash on unmapped code; it ended with \(run.exit):\n\(run.output)"
        )
    }
}

/// One run of `plugin-host` to its end, with what it printed.
private struct HostRun {
    enum Exit: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)
        case killedAtTimeout

        var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signalled(let signal): "signal \(signal) (\(String(cString: strsignal(signal))))"
            case .killedAtTimeout: "killed at the timeout"
            }
        }
    }

    let exit: Exit
    let output: String

    init(arguments: [String], timeout: Duration) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binaryPath())
        process.arguments = arguments
        // The control crashes on purpose: no crash report, no core file.
        process.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let reading = Task.detached { pipe.fileHandleForReading.readDataToEndOfFile() }
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill(process.processIdentifier, SIGKILL)
                timedOut = true
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        output = String(decoding: await reading.value, as: UTF8.self)
        if timedOut {
            exit = .killedAtTimeout
        } else if process.terminationReason == .uncaughtSignal {
            exit = .signalled(process.terminationStatus)
        } else {
            exit = .exited(process.terminationStatus)
        }
    }

    /// The host's `plugin-host: ...` summary line.
    var summary: String? {
        output.split(separator: "\n").last { $0.hasPrefix("plugin-host: ") && $0.contains(" swaps in ") }.map(
            String.init
        )
    }

    /// The summary's figures by name: `swaps`, `calls served`, `unloads`, `wrong answers`, ...
    var figures: [String: Int]? {
        guard let summary else { return nil }
        var figures: [String: Int] = [:]
        let patterns = [
            ("swaps", #"(\d+) swaps in"#), ("calls served", #"(\d+) calls served"#), ("unloads", #"(\d+) unloads"#),
            ("wrong answers", #"wrong answers (\d+)"#),
            ("unloads with calls inside", #"unloads with calls inside (\d+)"#),
            ("calls after unload", #"calls after unload (\d+)"#),
            ("libraries still mapped", #"libraries still mapped (\d+)"#),
        ]
        for (name, pattern) in patterns {
            guard let match = summary.firstMatch(of: try! Regex(pattern)),
                let value = Int(match.output[1].substring ?? "")
            else { continue }
            figures[name] = value
        }
        return figures
    }

    /// `$PLUGIN_HOST_BINARY`, or `plugin-host` next to the test bundle (SwiftPM's products folder, where the plugin
    /// libraries are built too).
    static func binaryPath() -> String {
        if let path = ProcessInfo.processInfo.environment["PLUGIN_HOST_BINARY"] { return path }
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for folder in candidates {
            let path = folder.appendingPathComponent("plugin-host").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return candidates[0].appendingPathComponent("plugin-host").path
    }
}
