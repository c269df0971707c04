// SPDX-License-Identifier: Apache-2.0
import Logging
import Rundown
import Synchronization

/// The server's configuration: the current ``RouteTable`` behind a `RundownProtected`, and the reload and shutdown
/// that replace and retire it.
///
/// Request handlers call ``withTable(_:)``; reloads go through ``reload(reason:)``, which the ``ReloadService`` calls
/// one at a time, so generation numbers are installed in order.
final class ConfigurationStore: Sendable {
    let path: String
    let ledger = GenerationLedger()
    private let tables: RundownProtected<RouteTable>
    private let logger: Logger
    private let lastGeneration: Atomic<Int>
    private let requestsInFlight = Atomic<Int>(0)

    /// The outcome of one reload.
    enum ReloadOutcome: Sendable {
        case reloaded(generation: Int, previous: Int, previousServed: Int)
        case loadFailed(String)
        case shuttingDown
    }

    init(path: String, logger: Logger) throws {
        self.path = path
        self.logger = logger
        let first = try RouteTable(loadingFrom: path, generation: 1)
        ledger.installing(1, reason: "startup")
        tables = RundownProtected(first, name: "route tables", recordingHolders: true)
        lastGeneration = Atomic(1)
        logger.info("generation installed", metadata: ["generation": "1", "routes": "\(first.routes.count)"])
    }

    var currentGeneration: Int { lastGeneration.load(ordering: .relaxed) }
    var inFlight: Int { requestsInFlight.load(ordering: .relaxed) }

    /// Runs `body` with the current table, which is not torn down before `body` returns.
    func withTable<R>(_ body: (borrowing RouteTable) async throws -> R) async throws -> R {
        requestsInFlight.add(1, ordering: .relaxed)
        defer { requestsInFlight.subtract(1, ordering: .relaxed) }
        return try await tables.withValue { table in
            table.beginRequest()
            defer { table.endRequest() }
            return try await body(table)
        }
    }

    /// Loads the file again and swaps the new table in; returns once the old table has been torn down after its
    /// last request. Call one at a time (the ``ReloadService`` does).
    func reload(reason: String) async -> ReloadOutcome {
        let generation = lastGeneration.load(ordering: .relaxed) + 1
        let table: RouteTable
        do {
            table = try RouteTable(loadingFrom: path, generation: generation)
        } catch {
            logger.error("reload failed; keeping the current generation", metadata: ["error": "\(error)"])
            return .loadFailed("\(error)")
        }
        ledger.installing(generation, reason: reason)
        logger.info(
            "generation installed",
            metadata: ["generation": "\(generation)", "reason": "\(reason)", "routes": "\(table.routes.count)"]
        )
        let old: RouteTable
        do {
            old = try await tables.replace(with: table)
        } catch {
            // Retired meanwhile: the table was never installed.
            ledger.discard(generation)
            _ = table.tearDown()
            logger.info("reload refused: shutting down", metadata: ["generation": "\(generation)"])
            return .shuttingDown
        }
        lastGeneration.store(generation, ordering: .relaxed)
        let teardown = tearDown(old)
        return .reloaded(generation: generation, previous: teardown.generation, previousServed: teardown.served)
    }

    /// Retires the configuration after the servers have stopped, and tears the last table down; gives up after
    /// `timeout` if a request still uses it (the table is then left to the process's exit, and that is logged).
    func shutdown(timeout: Duration) async {
        do {
            guard let last = try await tables.retire(timeout: timeout) else {
                logger.error(
                    "configuration still in use at exit; last table not torn down",
                    metadata: ["timeout": "\(timeout)"]
                )
                return
            }
            _ = tearDown(last)
        } catch {
            logger.error("configuration already retired", metadata: ["error": "\(error)"])
        }
    }

    private func tearDown(_ table: RouteTable) -> RouteTable.Teardown {
        let teardown = table.tearDown()
        ledger.tornDown(teardown)
        logger.info(
            "generation torn down after its last request",
            metadata: [
                "generation": "\(teardown.generation)",
                "served": "\(teardown.served)",
                "in-flight": "\(teardown.inFlight)",
                "uses-after-teardown": "\(teardown.usesAfterTeardown)",
            ]
        )
        return teardown
    }
}
