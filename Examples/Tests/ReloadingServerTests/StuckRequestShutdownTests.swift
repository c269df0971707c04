// SPDX-License-Identifier: Apache-2.0
import AsyncHTTPClient
import Foundation
import Testing

extension ReloadingServerEndToEndTests {
    /// The server's shutdown settings in this test, as passed on its command line.
    private static let gracePeriodMilliseconds = 300
    private static let deadlineMilliseconds = 1_500
    private static var deadline: Duration { .milliseconds(deadlineMilliseconds) }
    /// The exit status the server documents for a shutdown that passed its deadline.
    private static let exitStatusShutdownTimedOut: Int32 = 3

    @Test(
        "a request that never finishes: the shutdown logs its site, gives up at the deadline and exits with status 3",
        .timeLimit(.minutes(2))
    )
    func stuckRequestAtShutdown() async throws {
        let folder = try makeRouteFolder()
        let logPath =
            ProcessInfo.processInfo.environment["E2E_STUCK_SERVER_LOG"]
            ?? folder.appendingPathComponent("stuck-server.log").path
        let server = try await ServerProcess(
            configPath: folder.appendingPathComponent("routes.conf").path,
            logPath: logPath,
            extraArguments: [
                "--stuck-route", "/stuck",
                "--shutdown-grace-ms", String(Self.gracePeriodMilliseconds),
                "--shutdown-deadline-ms", String(Self.deadlineMilliseconds),
            ]
        )
        let client = makeClient()
        defer { if server.process.isRunning { server.send(SIGKILL) } }
        let base = "http://127.0.0.1:\(server.publicPort)"
        let admin = "http://127.0.0.1:\(server.adminPort)"

        let stuck = Task { await request(client, base + "/stuck", path: "/stuck") }
        let insideDeadline = ContinuousClock.now + .seconds(10)
        var statistics = try await fetchStatistics(client, admin)
        while statistics.protectedRequests < 1, ContinuousClock.now < insideDeadline {
            try await Task.sleep(for: .milliseconds(10))
            statistics = try await fetchStatistics(client, admin)
        }
        #expect(statistics.protectedRequests == 1, "the stuck request never got inside")
        // Other requests are served alongside it.
        let ordinary = await request(client, base + "/fast", path: "/fast")
        #expect(ordinary.failure == nil, "\(ordinary.failure ?? "")")

        // SIGUSR1: the server logs every recording object's holders; the stuck request is among them, under its
        // object's name, with its site.
        server.send(SIGUSR1)
        let dumpDeadline = ContinuousClock.now + .seconds(10)
        var dumpLines: [Substring] = []
        while dumpLines.isEmpty, ContinuousClock.now < dumpDeadline {
            try await Task.sleep(for: .milliseconds(20))
            dumpLines = server.log.split(separator: "\n").filter { $0.contains("run-down holders (SIGUSR1)") }
        }
        print("reloading-server SIGUSR1: \(dumpLines.first ?? "no dump")")
        #expect(dumpLines.count == 1, "server log:\n\(server.log.suffix(4_000))")
        let dump = dumpLines.first ?? ""
        #expect(dump.contains("requests: reloading_server/StuckRequest.swift:"))
        #expect(dump.contains("in stuckRequest(requests:)"))
        #expect(dump.contains("inside for"))

        let signalled = ContinuousClock.now
        server.send(SIGTERM)
        let exitStatus = try await server.waitForExit(timeout: .seconds(30))
        let shutdownTook = signalled.duration(to: .now)
        let stuckRecord = await stuck.value
        try await client.shutdown()

        let log = server.log
        let reportLines = log.split(separator: "\n").filter { $0.contains("run-down did not finish within") }
        print(
            """
            reloading-server stuck-request shutdown: exit status \(exitStatus.map(String.init) ?? "none") after \
            \(shutdownTook) (deadline \(Self.deadline)); the stuck request ended with \
            \(stuckRecord.failure ?? "an answer"); report: \(reportLines.first ?? "none")
            """
        )
        #expect(exitStatus == Self.exitStatusShutdownTimedOut, "server log:\n\(log.suffix(4_000))")
        // It waited the deadline out, and not much more (the rest is cancelling the services and exiting).
        #expect(shutdownTook >= Self.deadline)
        #expect(shutdownTook < Self.deadline + .seconds(5))
        // One report line, naming the drained object, the one holder and the stuck request's acquisition site.
        #expect(reportLines.count == 1, "server log:\n\(log.suffix(4_000))")
        let report = reportLines.first ?? ""
        #expect(report.contains("requests: 1 run-down holder inside: [1] reloading_server/StuckRequest.swift:"))
        #expect(report.contains("in stuckRequest(requests:)"))
        #expect(report.contains("rundown.object=requests"))
        #expect(stuckRecord.failure != nil, "the stuck request must not be answered 200")
        #expect(!log.contains("shut down cleanly"))
    }
}

/// A temporary folder holding `routes.conf` with the test's routes.
func makeRouteFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reloading-server-e2e-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try routes.write(toFile: folder.appendingPathComponent("routes.conf").path, atomically: true, encoding: .utf8)
    return folder
}

/// The HTTP client the end-to-end tests drive the server with.
func makeClient() -> HTTPClient {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
    configuration.timeout = .init(connect: .seconds(10), read: .seconds(30))
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}
