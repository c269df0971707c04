// SPDX-License-Identifier: Apache-2.0
import Foundation
import Hummingbird
import Logging
import Rundown
import ServiceLifecycle
import UnixSignals

/// A web server whose routing table can be reloaded while requests flow, without failing or slowing a request.
///
/// ```
/// reloading-server --config routes.conf [--host 127.0.0.1] [--port 8080] [--admin-port 8081]
///                  [--shutdown-grace-ms 2000] [--shutdown-deadline-ms 10000] [--stuck-route PATH]
/// ```
/// - Every request is answered from the current route table (a `RundownProtected<RouteTable>`).
/// - `kill -HUP <pid>` or `curl -X POST http://127.0.0.1:<admin-port>/admin/reload` loads the file again and swaps
///   the new table in; the old one is torn down after its last request, and that is logged with its generation.
/// - `GET /admin/stats` on the admin port lists every generation with its timestamps and counters.
/// - SIGTERM or SIGINT: refuse new requests (503), wait for the requests in flight (a `RundownShutdownService`
///   draining the recording `RundownRef` every public request holds), stop the listeners, tear the last table down,
///   exit 0. If requests are still inside at the shutdown deadline (`--shutdown-deadline-ms`, counted from the
///   signal), the server logs who they are (`run-down did not finish within ...`, each holder with the file, line
///   and function where it acquired), cancels them and exits with status 3.
/// - `--stuck-route PATH` (test configuration) adds a route whose request never finishes on its own.
///
/// Port 0 picks a free port; the server prints `listening public=HOST:PORT` and `listening admin=127.0.0.1:PORT`.
@main
struct ReloadingServer {
    struct Options {
        var configPath: String?
        var host = "127.0.0.1"
        var port = 8080
        var adminPort = 8081
        var shutdownGrace = Duration.milliseconds(2_000)
        var shutdownDeadline = Duration.milliseconds(10_000)
        var stuckRoute: String?
    }

    /// The exit status when the shutdown deadline passed with requests still inside.
    static let exitStatusShutdownTimedOut: Int32 = 3

    static func main() async throws {
        let options: Options
        do {
            options = try parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            let usage =
                "usage: reloading-server --config FILE [--host H] [--port N] [--admin-port N] "
                + "[--shutdown-grace-ms N] [--shutdown-deadline-ms N] [--stuck-route PATH]"
            FileHandle.standardError.write(Data("\(error)\n\(usage)\n".utf8))
            exit(2)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "reloading-server")
        guard let configPath = options.configPath else { exit(2) }

        let store = try ConfigurationStore(path: configPath, logger: logger)
        let reloads = ReloadQueue()
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let dumps = await UnixSignalsSequence(trapping: .sigusr1)
        // Every public request holds this; recording holders costs a few stores a request and lets the shutdown (and
        // SIGUSR1) say who is inside.
        let requests = RundownRef(name: "requests", recordingHolders: true)

        let publicServer = Application(
            router: publicRouter(store: store, requests: requests, stuckRoute: options.stuckRoute),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "reloading-server"),
            onServerRunning: { channel in
                announce("listening public=\(options.host):\(channel.localAddress?.port ?? -1)")
            },
            logger: logger
        )
        let adminServer = Application(
            router: adminRouter(store: store, reloads: reloads, requests: requests),
            configuration: .init(address: .hostname("127.0.0.1", port: options.adminPort)),
            onServerRunning: { channel in
                announce("listening admin=127.0.0.1:\(channel.localAddress?.port ?? -1)")
            },
            logger: logger
        )
        let drain = RundownShutdownService(
            draining: [(name: "requests", object: requests)],
            policy: .init(gracePeriod: options.shutdownGrace, deadline: options.shutdownDeadline, onDeadline: .fail),
            logger: logger
        )
        // Graceful shutdown runs in reverse order: first the requests are drained within the deadline (new ones are
        // refused from the signal on), then the public server stops (nothing is in flight any more), then the admin
        // server, then the reloads still queued. If the drain gives up, the group cancels every service.
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(
                        service: ReloadService(store: store, queue: reloads),
                        successTerminationBehavior: .gracefullyShutdownGroup
                    ),
                    .init(
                        service: HangupService(hangups: hangups, queue: reloads),
                        successTerminationBehavior: .gracefullyShutdownGroup
                    ),
                    .init(service: HolderDumpService(signals: dumps, logger: logger)),
                    .init(service: adminServer, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: publicServer, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: drain),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch let timedOut as RundownShutdownTimedOut {
            // The drain has logged the holder report; the group has cancelled the services (and so the requests).
            logger.critical("shutdown deadline passed with requests inside", metadata: ["error": "\(timedOut)"])
            await store.shutdown(timeout: .seconds(5))
            exit(exitStatusShutdownTimedOut)
        }
        // Nothing serves requests any more: retire the configuration and tear the last table down.
        await store.shutdown(timeout: .seconds(5))
        logger.info("shut down cleanly", metadata: ["generations": "\(store.currentGeneration)"])
    }

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            guard let value = remaining.popFirst() else { throw UsageError(description: "\(flag) needs a value") }
            switch flag {
            case "--config": options.configPath = value
            case "--host": options.host = value
            case "--port":
                guard let port = Int(value) else { throw UsageError(description: "bad port \(value)") }
                options.port = port
            case "--admin-port":
                guard let port = Int(value) else { throw UsageError(description: "bad admin port \(value)") }
                options.adminPort = port
            case "--shutdown-grace-ms":
                guard let milliseconds = Int(value), milliseconds >= 0 else {
                    throw UsageError(description: "bad grace period \(value)")
                }
                options.shutdownGrace = .milliseconds(milliseconds)
            case "--shutdown-deadline-ms":
                guard let milliseconds = Int(value), milliseconds >= 0 else {
                    throw UsageError(description: "bad deadline \(value)")
                }
                options.shutdownDeadline = .milliseconds(milliseconds)
            case "--stuck-route":
                guard value.hasPrefix("/") else { throw UsageError(description: "the stuck route must start with /") }
                options.stuckRoute = value
            default: throw UsageError(description: "unknown option \(flag)")
            }
        }
        guard options.configPath != nil else { throw UsageError(description: "--config is required") }
        return options
    }
}

/// Writes a line to standard output at once (unbuffered), for whoever waits for the ports.
func announce(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
