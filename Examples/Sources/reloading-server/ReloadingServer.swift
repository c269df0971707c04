// SPDX-License-Identifier: Apache-2.0
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// A web server whose routing table can be reloaded while requests flow, without failing or slowing a request.
///
/// ```
/// reloading-server --config routes.conf [--host 127.0.0.1] [--port 8080] [--admin-port 8081]
/// ```
/// - Every request is answered from the current route table (a `RundownProtected<RouteTable>`).
/// - `kill -HUP <pid>` or `curl -X POST http://127.0.0.1:<admin-port>/admin/reload` loads the file again and swaps
///   the new table in; the old one is torn down after its last request, and that is logged with its generation.
/// - `GET /admin/stats` on the admin port lists every generation with its timestamps and counters.
/// - SIGTERM or SIGINT: stop accepting, finish the requests in flight, tear the last table down, exit 0.
///
/// Port 0 picks a free port; the server prints `listening public=HOST:PORT` and `listening admin=127.0.0.1:PORT`.
@main
struct ReloadingServer {
    struct Options {
        var configPath: String?
        var host = "127.0.0.1"
        var port = 8080
        var adminPort = 8081
    }

    static func main() async throws {
        let options: Options
        do {
            options = try parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(
                Data("\(error)\nusage: reloading-server --config FILE [--host H] [--port N] [--admin-port N]\n".utf8)
            )
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

        let publicServer = Application(
            router: publicRouter(store: store),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "reloading-server"),
            onServerRunning: { channel in
                announce("listening public=\(options.host):\(channel.localAddress?.port ?? -1)")
            },
            logger: logger
        )
        let adminServer = Application(
            router: adminRouter(store: store, reloads: reloads),
            configuration: .init(address: .hostname("127.0.0.1", port: options.adminPort)),
            onServerRunning: { channel in
                announce("listening admin=127.0.0.1:\(channel.localAddress?.port ?? -1)")
            },
            logger: logger
        )
        // Graceful shutdown runs in reverse order: the public server first (stop accepting, finish what is in
        // flight), then the admin server, then the reloads still queued.
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
                    .init(service: adminServer, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: publicServer, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        // Nothing serves requests any more: retire the configuration and tear the last table down.
        await store.shutdown()
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
