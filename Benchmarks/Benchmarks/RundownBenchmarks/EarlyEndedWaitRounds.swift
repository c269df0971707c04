// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// How long the waits of ``EarlyEndedWaitRounds`` would wait: far longer than any benchmark runs, so that a timer
/// that outlived its wait would still be there when the sample's allocations are counted.
let leakLongTimeout = Duration.seconds(3_600)

/// Leak rounds of timed `async` waits that end long before their deadline: every round, ``leakFanOut`` waits with a
/// one-hour timeout on a ``RundownRef``, half of them ended by cancelling their tasks and half by the last holder
/// leaving. A wait's timer must go when the wait ends: one that stayed queued until its deadline (a sleeping child
/// task does) would hold its allocations for an hour, and a million such waits would show as a leak.
final class EarlyEndedWaitRounds: LeakRounds {
    static var name: String { "RundownRef[one-hour-waits-ended-early]" }

    static var operationsPerRound: LeakOperations {
        LeakOperations(timeouts: 0, callbacks: 0, cancellations: leakFanOut / 2, waits: leakFanOut / 2)
    }

    let rundown = RundownRef()

    init() {}

    func round() async {
        rundown.hold()
        let cancelled = (0..<leakFanOut / 2).map { _ in
            Task { await self.rundown.waitForRundown(timeout: leakLongTimeout) }
        }
        let completed = (0..<leakFanOut / 2).map { _ in
            Task { await self.rundown.waitForRundown(timeout: leakLongTimeout) }
        }
        await suspendUntil { rundown.liveWaiterRecordCount == leakFanOut }
        for task in cancelled { task.cancel() }
        for task in cancelled {
            leakCheck(!(await task.value), "\(Self.name): a cancelled wait completed with a holder inside")
        }
        rundown.leave()
        for task in completed {
            leakCheck(await task.value, "\(Self.name): a wait did not complete when the last holder left")
        }
        let live = rundown.liveWaiterRecordCount
        leakCheck(live == 0, "\(Self.name): \(live) live waiter records after the round")
        rundown.reInitialize()
    }
}
