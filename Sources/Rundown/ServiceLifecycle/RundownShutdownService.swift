// SPDX-License-Identifier: Apache-2.0
#if ServiceLifecycleSupport
import Logging
import ServiceLifecycle

/// A swift-service-lifecycle `Service` that runs run-down objects down on graceful shutdown, with a grace period, a
/// deadline and a holder report in the log when the deadline passes.
///
/// Available with the package trait `ServiceLifecycleSupport`:
///
/// ```swift
/// .package(path: "../swift-rundown", traits: ["ServiceLifecycleSupport"])
/// ```
///
/// Add it *last* to the `ServiceGroup`: a group shuts its services down in reverse order, so run-down begins first
/// (new work is refused at once), and the services before it (a server that would wait for its in-flight requests
/// without a bound) shut down after the holders have left or the deadline has passed. Its `run()` suspends until
/// graceful shutdown begins, then:
///
/// 1. begins run-down of every object at once (from then on their acquisitions fail);
/// 2. waits up to ``Policy/gracePeriod`` for the holders to leave;
/// 3. cancels the holders that opted in (`withCancellableProtection`) and waits on, until ``Policy/deadline``
///    (counted from the start of the shutdown);
/// 4. if holders are still inside at the deadline, logs each object's ``RundownHolderReport`` at `error` level
///    (metadata `rundown.object` and `rundown.holders`, message `run-down did not finish within <deadline>: ...`),
///    then the process-wide report of every recording object (``RundownHolderReport/everyRecordingObject()``:
///    `recording run-down objects at the deadline: ...`, metadata `rundown.object` `*`), and then gives up as
///    ``Policy/onDeadline`` says: returns (the group finishes its shutdown; the holders are abandoned) or throws
///    ``RundownShutdownTimedOut`` (the group ends with that error; an executable's `main` then exits non-zero).
///
/// Cancelling the service's task (the group's cancellation) ends the waits early, as the deadline does.
public struct RundownShutdownService: Service, CustomStringConvertible {
    /// How long to wait, and what to do at the deadline.
    public struct Policy: Sendable {
        /// What the service does when holders are still inside at the deadline (after logging them).
        public enum DeadlineAction: Sendable {
            /// Return normally: the service group finishes its shutdown, abandoning the holders.
            case giveUp
            /// Throw ``RundownShutdownTimedOut``, with the reports: the service group ends with that error.
            case fail
        }

        /// How long the holders may finish on their own before the cancellable ones are cancelled.
        public var gracePeriod: Duration
        /// How long the whole shutdown may take, from its start; at least the grace period.
        public var deadline: Duration
        /// What to do when holders are still inside at the deadline.
        public var onDeadline: DeadlineAction

        /// - Parameters:
        ///   - gracePeriod: How long to wait before cancelling the cancellable holders.
        ///   - deadline: How long to wait in all, from the start of the shutdown.
        ///   - onDeadline: What to do if holders are still inside at the deadline; ``DeadlineAction/fail`` by
        ///     default.
        public init(gracePeriod: Duration, deadline: Duration, onDeadline: DeadlineAction = .fail) {
            self.gracePeriod = gracePeriod
            self.deadline = max(deadline, gracePeriod)
            self.onDeadline = onDeadline
        }
    }

    /// One object to run down, with the name the log uses for it.
    private struct Drained: Sendable {
        let name: String
        let object: any RundownProtection
    }

    private let objects: [Drained]
    private let policy: Policy
    private let logger: Logger

    /// Creates a service that runs `objects` down on graceful shutdown.
    ///
    /// - Parameters:
    ///   - objects: The run-down objects, each with a name for the log (`"requests"`, `"plugin"`). Create them with
    ///     `recordingHolders: true` to have the log say who is still inside, not just how many.
    ///   - policy: The grace period, the deadline and what to do at the deadline.
    ///   - logger: Where the deadline's report goes.
    public init(draining objects: [(name: String, object: any RundownProtection)], policy: Policy, logger: Logger) {
        self.objects = objects.map { Drained(name: $0.name, object: $0.object) }
        self.policy = policy
        self.logger = logger
    }

    /// Suspends until graceful shutdown, then runs every object down within the policy's deadline.
    ///
    /// - Throws: ``RundownShutdownTimedOut`` at the deadline if the policy says ``Policy/DeadlineAction/fail``;
    ///   nothing if the service's task is cancelled before graceful shutdown.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // Cancelled before any graceful shutdown: nothing to drain.
        }
        let started = ContinuousClock.now
        for drained in objects { drained.object.beginRundown() }
        let policy = policy
        let remaining = await withTaskGroup(of: Drained?.self) { group in
            for drained in objects {
                group.addTask {
                    let done = await drained.object.waitForRundown(
                        gracePeriod: policy.gracePeriod,
                        timeout: policy.deadline
                    )
                    return done ? nil : drained
                }
            }
            return await group.reduce(into: [Drained]()) { if let left = $1 { $0.append(left) } }
        }
        guard !remaining.isEmpty else {
            logger.debug("run-down complete", metadata: ["rundown.duration": "\(started.duration(to: .now))"])
            return
        }
        let reports = remaining.map { (name: $0.name, report: $0.object.holderReport()) }
        for (name, report) in reports {
            logger.error(
                "run-down did not finish within \(policy.deadline): \(name): \(report)",
                metadata: ["rundown.object": "\(name)", "rundown.holders": "\(report.holderCount)"]
            )
        }
        // Who is inside anything: other recording objects may hold up the drained ones (a request waiting on a
        // plugin), and they show here, oldest first.
        let everywhere = RundownHolderReport.everyRecordingObject()
        if !everywhere.holders.isEmpty {
            logger.error(
                "recording run-down objects at the deadline: \(everywhere)",
                metadata: ["rundown.object": "*", "rundown.holders": "\(everywhere.holderCount)"]
            )
        }
        if case .fail = policy.onDeadline { throw RundownShutdownTimedOut(reports: reports) }
    }

    /// The objects and the policy, e.g. `RundownShutdownService(requests; grace 5 s, deadline 30 s)`.
    public var description: String {
        "RundownShutdownService(\(objects.map(\.name).joined(separator: ", ")); grace \(policy.gracePeriod), "
            + "deadline \(policy.deadline))"
    }
}

/// The error of a ``RundownShutdownService`` whose objects still had holders at its deadline.
public struct RundownShutdownTimedOut: Error, CustomStringConvertible {
    /// Each object that did not finish, with its holder report taken at the deadline.
    public let reports: [(name: String, report: RundownHolderReport)]

    /// One line per object: its name and report.
    public var description: String {
        "run-down did not finish: " + reports.map { "\($0.name): \($0.report)" }.joined(separator: "; ")
    }
}
#endif
