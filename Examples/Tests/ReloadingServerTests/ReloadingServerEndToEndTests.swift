// SPDX-License-Identifier: Apache-2.0
import AsyncHTTPClient
import Foundation
import Testing

/// The admin endpoint's statistics, as the test reads them.
struct Statistics: Decodable {
    struct Generation: Decodable {
        var generation: Int
        var reason: String
        var installedAt: UInt64
        var tornDownAt: UInt64?
        var served: Int?
        var inFlightAtTeardown: Int?
        var usesAfterTeardown: Int?
        var teardowns: Int
    }
    var current: Int
    var requestsInFlight: Int
    var protectedRequests: Int
    var generations: [Generation]
}

/// One request of the load, as the client saw it.
struct RequestRecord: Sendable {
    var path: String
    var start: UInt64
    var end: UInt64
    var generation: Int?
    var failure: String?
}

/// The settings of a run; the environment can stretch them.
private struct LoadPlan {
    var seconds = 20
    var workers = 16
    var reloadInterval = Duration.milliseconds(150)
    var minimumReloads = 60
    /// Every this many reloads, one is done with SIGHUP instead of the admin endpoint.
    var hangupEvery = 10
    var lingeringAtShutdown = 8

    static func fromEnvironment() -> LoadPlan {
        var plan = LoadPlan()
        if let seconds = ProcessInfo.processInfo.environment["E2E_LOAD_SECONDS"].flatMap({ Int($0) }) {
            plan.seconds = seconds
        }
        return plan
    }
}

let routes = """
    # path       delay-ms  template
    /fast        0         fast answer from generation {generation} for {path}
    /medium      5         medium answer from generation {generation} for {path}
    /slow        40        slow answer from generation {generation} for {path}
    /linger      600       lingering answer from generation {generation} for {path}

    """

@Suite("reloading-server end to end", .serialized)
struct ReloadingServerEndToEndTests {
    @Test(
        "reloads under sustained load, then shuts down: no failed request, old generations torn down after their last request",
        .timeLimit(.minutes(5))
    )
    func reloadUnderLoadThenShutDown() async throws {
        let plan = LoadPlan.fromEnvironment()
        let folder = try makeRouteFolder()
        let logPath =
            ProcessInfo.processInfo.environment["E2E_SERVER_LOG"]
            ?? folder.appendingPathComponent("server.log").path

        let server = try await ServerProcess(
            configPath: folder.appendingPathComponent("routes.conf").path,
            logPath: logPath
        )
        let client = makeClient()
        do {
            try await drive(server, client, plan)
        } catch {
            server.send(SIGKILL)
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// Loads, reloads and stops the server, then checks what happened.
    private func drive(_ server: ServerProcess, _ client: HTTPClient, _ plan: LoadPlan) async throws {
        let base = "http://127.0.0.1:\(server.publicPort)"
        let admin = "http://127.0.0.1:\(server.adminPort)"

        // 1. Sustained load with reloads.
        let loadEnds = ContinuousClock.now + .seconds(plan.seconds)
        let (records, reloadFailures, adminReloads, hangups) = try await withThrowingTaskGroup(
            of: LoadResult.self
        ) { group in
            for worker in 0..<plan.workers {
                group.addTask {
                    var records: [RequestRecord] = []
                    var counter = worker
                    while ContinuousClock.now < loadEnds {
                        counter += 1
                        let path = counter % 10 == 0 ? "/slow" : (counter % 3 == 0 ? "/medium" : "/fast")
                        records.append(await request(client, base + path, path: path))
                    }
                    return .requests(records)
                }
            }
            group.addTask {
                var failures: [String] = []
                var adminReloads = 0
                var hangups = 0
                var count = 0
                while ContinuousClock.now < loadEnds || count < plan.minimumReloads {
                    try await Task.sleep(for: plan.reloadInterval)
                    count += 1
                    if count % plan.hangupEvery == 0 {
                        server.send(SIGHUP)
                        hangups += 1
                        continue
                    }
                    do {
                        var reload = HTTPClientRequest(url: admin + "/admin/reload")
                        reload.method = .POST
                        let response = try await client.execute(reload, timeout: .seconds(30))
                        let body = try await response.body.collect(upTo: 1 << 16)
                        if response.status == .ok {
                            adminReloads += 1
                        } else {
                            failures.append(
                                "reload answered \(response.status): \(String(decoding: body.readableBytesView, as: UTF8.self))"
                            )
                        }
                    } catch {
                        failures.append("reload failed: \(error)")
                    }
                }
                return .reloads(failures: failures, admin: adminReloads, hangups: hangups)
            }
            var records: [RequestRecord] = []
            var failures: [String] = []
            var adminReloads = 0
            var hangups = 0
            for try await result in group {
                switch result {
                case .requests(let batch): records += batch
                case .reloads(let reloadFailures, let admin, let sent):
                    failures = reloadFailures
                    adminReloads = admin
                    hangups = sent
                }
            }
            return (records, failures, adminReloads, hangups)
        }

        // Give the last SIGHUP reloads time to be processed, so that every generation is accounted for.
        var statistics = try await fetchStatistics(client, admin)
        let expectedGenerations = 1 + adminReloads + hangups
        let settleDeadline = ContinuousClock.now + .seconds(10)
        while statistics.current < expectedGenerations, ContinuousClock.now < settleDeadline {
            try await Task.sleep(for: .milliseconds(50))
            statistics = try await fetchStatistics(client, admin)
        }

        // 2. Shutdown with requests in flight: they must all be answered.
        let lingering = Task {
            await withTaskGroup(of: RequestRecord.self) { group in
                for _ in 0..<plan.lingeringAtShutdown {
                    group.addTask { await request(client, base + "/linger", path: "/linger") }
                }
                var records: [RequestRecord] = []
                for await record in group { records.append(record) }
                return records
            }
        }
        let inFlightDeadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < inFlightDeadline {
            statistics = try await fetchStatistics(client, admin)
            if statistics.requestsInFlight >= plan.lingeringAtShutdown { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let inFlightAtSigterm = statistics.requestsInFlight
        server.send(SIGTERM)
        let lingered = await lingering.value
        let exitStatus = try await server.waitForExit(timeout: .seconds(30))
        let log = server.log

        // 3. Checks.
        let all = records + lingered
        let failed = all.filter { $0.failure != nil }
        let byGeneration = Dictionary(uniqueKeysWithValues: statistics.generations.map { ($0.generation, $0) })
        var outsideWindow: [String] = []
        for record in all where record.failure == nil {
            guard let generation = record.generation, let entry = byGeneration[generation] else {
                outsideWindow.append("\(record.path) served by unknown generation \(record.generation ?? -1)")
                continue
            }
            // The generation was installed before the request ended and not torn down before it began.
            if entry.installedAt > record.end {
                outsideWindow.append("\(record.path) served by generation \(generation) installed after it ended")
            }
            if let tornDownAt = entry.tornDownAt, tornDownAt < record.start {
                outsideWindow.append("\(record.path) served by generation \(generation) torn down before it began")
            }
        }
        let retired = statistics.generations.filter { $0.generation != statistics.current }
        let teardownLines = log.split(separator: "\n").filter {
            $0.contains("generation torn down after its last request")
        }
        var teardownsInLog: [Int: Int] = [:]
        var badTeardownLines: [Substring] = []
        for line in teardownLines {
            guard let generation = metadata(line, "generation").flatMap({ Int($0) }) else { continue }
            teardownsInLog[generation, default: 0] += 1
            if metadata(line, "in-flight") != "0" || metadata(line, "uses-after-teardown") != "0" {
                badTeardownLines.append(line)
            }
        }

        let summary = """
            reloading-server e2e: \(all.count) requests (\(records.count) under load, \(lingered.count) in flight at \
            SIGTERM, \(inFlightAtSigterm) seen in flight), \(failed.count) failed; \(adminReloads) admin reloads + \
            \(hangups) SIGHUP reloads; \(statistics.current) generations; \(teardownLines.count) teardowns logged; \
            exit status \(exitStatus.map(String.init) ?? "none")
            """
        print(summary)

        #expect(failed.isEmpty, "failed requests: \(failed.prefix(10).map { "\($0.path): \($0.failure!)" })")
        #expect(reloadFailures.isEmpty, "\(reloadFailures.prefix(10))")
        #expect(records.count > 1_000)
        #expect(adminReloads + hangups >= 50)
        #expect(lingered.count == plan.lingeringAtShutdown)
        #expect(inFlightAtSigterm >= plan.lingeringAtShutdown)
        #expect(outsideWindow.isEmpty, "\(outsideWindow.prefix(10))")
        // Every generation exists, in order; every retired one was torn down exactly once, idle, never used after.
        #expect(statistics.current == expectedGenerations)
        #expect(statistics.generations.map(\.generation) == Array(1...statistics.current))
        #expect(retired.allSatisfy { $0.teardowns == 1 && $0.tornDownAt != nil })
        #expect(retired.allSatisfy { $0.inFlightAtTeardown == 0 && $0.usesAfterTeardown == 0 })
        #expect(retired.reduce(0) { $0 + ($1.served ?? 0) } > 0)
        // The log has one teardown line per generation, the last one included (at shutdown).
        #expect(teardownsInLog == Dictionary(uniqueKeysWithValues: (1...statistics.current).map { ($0, 1) }))
        #expect(badTeardownLines.isEmpty, "\(badTeardownLines.prefix(5))")
        #expect(log.contains("shut down cleanly"))
        #expect(exitStatus == 0, "server log:\n\(log.suffix(4_000))")
    }
}

private enum LoadResult: Sendable {
    case requests([RequestRecord])
    case reloads(failures: [String], admin: Int, hangups: Int)
}

/// Sends one GET and checks that the answer is a 200 whose body names the generation in its header.
func request(_ client: HTTPClient, _ url: String, path: String) async -> RequestRecord {
    let start = monotonicNanoseconds()
    var record = RequestRecord(path: path, start: start, end: start)
    do {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = String(decoding: try await response.body.collect(upTo: 1 << 16).readableBytesView, as: UTF8.self)
        record.end = monotonicNanoseconds()
        record.generation = response.headers.first(name: "x-generation").flatMap { Int($0) }
        if response.status != .ok {
            record.failure = "status \(response.status)"
        } else if let generation = record.generation, body.contains("from generation \(generation) for \(path)") {
            return record
        } else {
            record.failure = "unexpected body \(body) for generation \(record.generation ?? -1)"
        }
    } catch {
        record.end = monotonicNanoseconds()
        record.failure = "\(error)"
    }
    return record
}

func fetchStatistics(_ client: HTTPClient, _ admin: String) async throws -> Statistics {
    let response = try await client.execute(HTTPClientRequest(url: admin + "/admin/stats"), timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 1 << 24)
    return try JSONDecoder().decode(Statistics.self, from: Data(body.readableBytesView))
}

/// The value of `key=value` in a swift-log line.
private func metadata(_ line: Substring, _ key: String) -> String? {
    guard let range = line.range(of: " \(key)=") else { return nil }
    let rest = line[range.upperBound...]
    return String(rest.prefix { $0 != " " })
}
