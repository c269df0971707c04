// SPDX-License-Identifier: Apache-2.0
import Logging
import Rundown
import ServiceLifecycle
import UnixSignals

/// A request to load the configuration again, and where to send the outcome.
struct ReloadRequest: Sendable {
    let reason: String
    let reply: CheckedContinuation<ConfigurationStore.ReloadOutcome, Never>?
}

/// The queue of pending reloads, fed by the admin endpoint and by SIGHUP.
final class ReloadQueue: Sendable {
    let requests: AsyncStream<ReloadRequest>
    let continuation: AsyncStream<ReloadRequest>.Continuation

    init() {
        (requests, continuation) = AsyncStream.makeStream()
    }

    /// Asks for a reload and waits until it is done (or refused because the server is shutting down).
    func reload(reason: String) async -> ConfigurationStore.ReloadOutcome {
        await withCheckedContinuation { reply in
            if case .terminated = continuation.yield(ReloadRequest(reason: reason, reply: reply)) {
                reply.resume(returning: .shuttingDown)
            }
        }
    }

    /// Asks for a reload without waiting for it.
    func requestReload(reason: String) {
        continuation.yield(ReloadRequest(reason: reason, reply: nil))
    }
}

/// Runs reloads one at a time, in the order they were asked for; stops taking new ones at graceful shutdown and
/// finishes the ones already queued.
struct ReloadService: Service {
    let store: ConfigurationStore
    let queue: ReloadQueue

    func run() async {
        await withGracefulShutdownHandler {
            for await request in queue.requests {
                let outcome = await store.reload(reason: request.reason)
                request.reply?.resume(returning: outcome)
            }
        } onGracefulShutdown: {
            queue.continuation.finish()
        }
    }
}

/// Turns every SIGHUP into a reload request.
struct HangupService: Service {
    /// Created before the server announces itself, so that a SIGHUP sent right after can no longer kill it.
    let hangups: UnixSignalsSequence
    let queue: ReloadQueue

    func run() async {
        for await _ in hangups.cancelOnGracefulShutdown() {
            queue.requestReload(reason: "SIGHUP")
        }
    }
}

/// Logs who is inside every recording run-down object of the process on every SIGUSR1: the run-down equivalent of a
/// goroutine dump, for a server that seems stuck.
struct HolderDumpService: Service {
    let signals: UnixSignalsSequence
    let logger: Logger

    func run() async {
        for await _ in signals.cancelOnGracefulShutdown() {
            let report = RundownHolderReport.everyRecordingObject()
            logger.notice(
                "run-down holders (SIGUSR1): \(report)",
                metadata: ["rundown.holders": "\(report.holderCount)"]
            )
        }
    }
}
