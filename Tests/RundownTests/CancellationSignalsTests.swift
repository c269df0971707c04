// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import Rundown

/// The cancellable holders and the requests to cancel them, as a state machine, without threads or tasks.
@Suite("Cancellation signals state machine")
struct CancellationSignalsTests {
    typealias Signals = CancellationSignals<String>

    @Test("a request signals exactly the holders of its generation")
    func requestSignalsItsGeneration() {
        var signals = Signals()
        guard case .wait(let old) = signals.register(generation: 1),
            case .wait(let current) = signals.register(generation: 2)
        else {
            Issue.record("no request yet: every holder waits")
            return
        }
        #expect(signals.suspend(old, with: "old") == .suspended)
        #expect(signals.suspend(current, with: "current") == .suspended)
        let signalled = signals.request(generation: 2)
        #expect(signalled.removed.map(\.id) == [current])
        #expect(signals.holders.records.map(\.id) == [old])
        #expect(signals.requestedGeneration == 2)
    }

    @Test("a holder that registers after its generation's request is cancelled at once; the next generation's is not")
    func lateHolderIsCancelledAtOnce() {
        var signals = Signals()
        _ = signals.request(generation: 7)
        #expect(signals.register(generation: 7) == .cancelNow)
        guard case .wait = signals.register(generation: 8) else {
            Issue.record("a holder of the next generation was cancelled")
            return
        }
        #expect(signals.holders.count == 1)
    }

    @Test("a request that comes before the holder suspends resumes it as soon as it suspends")
    func requestBeforeSuspension() {
        var signals = Signals()
        guard case .wait(let id) = signals.register(generation: 3) else {
            Issue.record("no request yet: the holder waits")
            return
        }
        let signalled = signals.request(generation: 3)
        #expect(signalled.removed.isEmpty, "it has not suspended: nothing to resume yet")
        #expect(signals.suspend(id, with: "holder") == .resume(signalled: true))
        #expect(signals.holders.count == 0)
    }

    @Test("a holder whose body finished withdraws: its continuation comes back once, and no request reaches it")
    func withdrawal() {
        var signals = Signals()
        guard case .wait(let id) = signals.register(generation: 4) else {
            Issue.record("no request yet: the holder waits")
            return
        }
        #expect(signals.suspend(id, with: "holder") == .suspended)
        #expect(signals.withdraw(id) == "holder")
        #expect(signals.withdraw(id) == nil)
        #expect(signals.request(generation: 4).removed.isEmpty)
    }
}
