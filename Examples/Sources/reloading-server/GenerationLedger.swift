// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// What the server knows about one generation of its configuration; served as JSON by the admin endpoint.
struct GenerationRecord: Codable, Sendable {
    var generation: Int
    /// Why it was loaded: `startup`, `admin` or `SIGHUP`.
    var reason: String
    /// `CLOCK_MONOTONIC` nanoseconds just before it was handed to `replace(with:)` (or at startup).
    var installedAt: UInt64
    /// `CLOCK_MONOTONIC` nanoseconds just after its teardown; `nil` while it is live.
    var tornDownAt: UInt64?
    /// Requests it served, counted at teardown.
    var served: Int?
    /// Requests still using it when it was torn down: must be 0.
    var inFlightAtTeardown: Int?
    /// Requests that started using it after its teardown: must be 0.
    var usesAfterTeardown: Int?
    /// How many times it was torn down: must be 1 once it is retired.
    var teardowns: Int
}

/// The admin endpoint's statistics.
struct ServerStatistics: Codable, Sendable {
    var current: Int
    /// Requests using a route table now.
    var requestsInFlight: Int
    /// Requests holding protection of the drained `requests` object now (the stuck one included).
    var protectedRequests: Int
    var generations: [GenerationRecord]
}

/// Every generation the server created, in order.
final class GenerationLedger: Sendable {
    private let records = Mutex<[Int: GenerationRecord]>([:])

    func installing(_ generation: Int, reason: String) {
        let record = GenerationRecord(
            generation: generation,
            reason: reason,
            installedAt: MonotonicClock.nanoseconds(),
            teardowns: 0
        )
        records.withLock { $0[generation] = record }
    }

    func discard(_ generation: Int) {
        _ = records.withLock { $0.removeValue(forKey: generation) }
    }

    func tornDown(_ teardown: RouteTable.Teardown) {
        let now = MonotonicClock.nanoseconds()
        records.withLock { records in
            guard var record = records[teardown.generation] else { return }
            record.teardowns += 1
            if teardown.wasFirstTeardown {
                record.tornDownAt = now
                record.served = teardown.served
                record.inFlightAtTeardown = teardown.inFlight
                record.usesAfterTeardown = teardown.usesAfterTeardown
            }
            records[teardown.generation] = record
        }
    }

    var all: [GenerationRecord] {
        records.withLock { Array($0.values) }.sorted { $0.generation < $1.generation }
    }
}
