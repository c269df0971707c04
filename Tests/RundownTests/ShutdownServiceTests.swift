// SPDX-License-Identifier: Apache-2.0
#if ServiceLifecycleSupport
@_spi(Testing) import Rundown
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Collects what is logged, for assertions on the shutdown's log line.
private final class LogCollector: Sendable {
    private let lines = Locked<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    var logger: Logger { Logger(label: "rundown-test") { _ in Handler(collector: self) } }

    struct Handler: LogHandler {
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            collector.append("\(event.level) \(event.message)")
        }
    }
}

/// A service that keeps one request inside the run-down object until it is cancelled or told to finish: the stuck
/// request of a shutdown.
private struct StuckRequests: Service {
    let requests: RundownRef
    let cancellable: Bool
    let inside = Flag()

    func run() async throws {
        if cancellable {
            _ = try? await requests.withCancellableProtection {
                inside.set()
                try await Task.sleep(for: .seconds(3_600))
            }
            // Cancelled by the run-down: wait for this service's own turn to shut down, as a group expects.
            try? await gracefulShutdown()
        } else {
            try await requests.withProtection(isolation: nil) {
                inside.set()
                // Never finishes by itself and ignores graceful shutdown, as a stuck request does; only the group's
                // cancellation (after the shutdown service failed) ends it.
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            }
        }
    }
}

@Suite("Graceful-shutdown adapter", .serialized)
struct ShutdownServiceTests {
    @Test("a signal starts the shutdown; the deadline logs the stuck holder's site and the group ends with the error")
    func stuckHolderIsLoggedAtTheDeadline() async throws {
        let requests = RundownRef(name: "shutdown-test requests", recordingHolders: true)
        let log = LogCollector()
        let stuck = StuckRequests(requests: requests, cancellable: false)
        let shutdown = RundownShutdownService(
            draining: [(name: "requests", object: requests)],
            policy: .init(gracePeriod: .milliseconds(50), deadline: .milliseconds(300), onDeadline: .fail),
            logger: log.logger
        )
        let group = ServiceGroup(
            configuration: .init(
                // Last, so that it is shut down first (a group goes in reverse order): run-down begins before anything
                // else stops.
                services: [
                    .init(service: stuck, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore),
                    .init(service: shutdown, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigusr1],
                logger: Logger(label: "group") { _ in SwiftLogNoOpLogHandler() }
            )
        )
        // Ignored from the start (the group ignores it too, when it starts listening), so that a signal sent before
        // the group listens cannot end the test process.
        signal(SIGUSR1, SIG_IGN)
        let running = Task { try await group.run() }
        #expect(await eventually { stuck.inside.isSet })
        // Give the group time to start listening for the signal.
        try await Task.sleep(for: .milliseconds(200))
        let signalled = ContinuousClock.now
        kill(getpid(), SIGUSR1)

        let ended = await running.result
        let elapsed = signalled.duration(to: .now)
        guard case .failure(let error) = ended else {
            Issue.record("the group ended without the shutdown's error")
            return
        }
        let timedOut = try #require(error as? RundownShutdownTimedOut)
        #expect(timedOut.reports.map(\.name) == ["requests"])
        #expect(timedOut.reports.first?.report.holders.first?.function == "run()")
        #expect(elapsed < .seconds(30), "ends at the deadline, not when the holder leaves: \(elapsed)")

        let errors = log.all.filter { $0.hasPrefix("error") }
        try #require(errors.count == 2, "\(log.all)")
        #expect(errors[0].contains("run-down did not finish within"))
        #expect(errors[0].contains("RundownTests/ShutdownServiceTests.swift:"))
        #expect(errors[0].contains("in run()"))
        // Then every recording object of the process, under its name: the drained one among them.
        #expect(errors[1].contains("recording run-down objects at the deadline"))
        #expect(errors[1].contains("shutdown-test requests: RundownTests/ShutdownServiceTests.swift:"))
    }

    @Test("cancellable holders are cancelled after the grace period, and the shutdown then finishes cleanly")
    func cancellableHoldersLetTheShutdownFinish() async throws {
        let requests = RundownRef()
        let log = LogCollector()
        let stuck = StuckRequests(requests: requests, cancellable: true)
        let shutdown = RundownShutdownService(
            draining: [(name: "requests", object: requests)],
            policy: .init(gracePeriod: .milliseconds(20), deadline: .seconds(60)),
            logger: log.logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: stuck, successTerminationBehavior: .ignore),
                    .init(service: shutdown, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigusr2],
                logger: Logger(label: "group") { _ in SwiftLogNoOpLogHandler() }
            )
        )
        signal(SIGUSR2, SIG_IGN)
        let running = Task { try await group.run() }
        #expect(await eventually { stuck.inside.isSet })
        try await Task.sleep(for: .milliseconds(200))
        kill(getpid(), SIGUSR2)
        try await running.value
        #expect(requests.state == .completed)
        #expect(!log.all.contains { $0.hasPrefix("error") }, "\(log.all)")
    }
}
#endif
