// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A host that calls a plugin library from many threads and tasks while it hot-swaps it, unloading each copy
/// (`dlclose`) only after its last call has returned, the driver-unload use case of run-down protection.
///
/// ```
/// plugin-host [--plugins A.so,B.so] [--swaps 1000] [--threads 2] [--tasks 2] [--work 300] [--unprotected]
/// ```
/// - The plugins alternate (alpha, beta, alpha, ...); each swap loads a fresh copy, publishes it with
///   `RundownProtected.replace(with:)`, which returns the old copy after its last call, and unloads the old copy.
///   By default the two libraries are `libPluginAlpha` and `libPluginBeta` next to the executable (this package
///   builds them).
/// - Every answer is checked against the plugin the caller held; every unload checks that the library answered
///   exactly the calls the host started on it (none was inside) and that it is gone afterwards.
/// - `--unprotected` is the control: the same host without run-down protection. It unloads the old copy while calls
///   still run its code, and dies of SIGSEGV or SIGBUS (it turns core dumps off first).
///
/// Prints `plugin-host: ...` with the figures, and exits 0 when every check held, 1 when one failed, 2 on a usage
/// error.
@main
struct PluginHost {
    struct Options: Sendable {
        var plugins: [String] = []
        var swaps = 1_000
        var threads = 2
        var tasks = 2
        var work: UInt64 = 300
        var unprotected = false
    }

    static func main() async {
        let options: Options
        do {
            options = try parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(
                Data(
                    ("\(error)\nusage: plugin-host [--plugins A,B] [--swaps N] [--threads N] [--tasks N] [--work N] "
                        + "[--unprotected]\n").utf8
                )
            )
            exit(2)
        }
        do {
            let report = try await HotSwapRun(options: options).run()
            print(report.summary)
            for failure in report.failures.prefix(10) { print("plugin-host: FAILED: \(failure)") }
            exit(report.failures.isEmpty ? 0 : 1)
        } catch {
            print("plugin-host: \(error)")
            exit(1)
        }
    }

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var remaining = arguments[...]
        func count(_ flag: String, _ value: String?) throws -> Int {
            guard let value, let number = Int(value), number >= 0 else {
                throw UsageError(description: "\(flag) needs a count")
            }
            return number
        }
        while let flag = remaining.popFirst() {
            switch flag {
            case "--unprotected": options.unprotected = true
            case "--plugins":
                options.plugins = (remaining.popFirst() ?? "").split(separator: ",").map(String.init)
                guard options.plugins.count == 2 else { throw UsageError(description: "--plugins needs two paths") }
            case "--swaps": options.swaps = try count(flag, remaining.popFirst())
            case "--threads": options.threads = try count(flag, remaining.popFirst())
            case "--tasks": options.tasks = try count(flag, remaining.popFirst())
            case "--work": options.work = UInt64(try count(flag, remaining.popFirst()))
            default: throw UsageError(description: "unknown option \(flag)")
            }
        }
        if options.plugins.isEmpty { options.plugins = defaultPluginPaths() }
        return options
    }

    /// `libPluginAlpha` and `libPluginBeta` in the folder of the executable.
    static func defaultPluginPaths() -> [String] {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        return ["PluginAlpha", "PluginBeta"].map {
            folder.appendingPathComponent("lib\($0).\(sharedLibraryExtension)").path
        }
    }
}
