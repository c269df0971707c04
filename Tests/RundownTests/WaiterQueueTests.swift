// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import Rundown

/// The queue the waiting state machines are built on (waiters of a generation, writers of a turnstile, cancellable
/// holders), without threads: identities, the two-step suspension, and signalling one or all.
@Suite("Waiter queue")
struct WaiterQueueTests {
    typealias Queue = WaiterQueue<Int, String>

    @Test("signalFirst goes down the line in arrival order and skips waiters signalled already")
    func signalFirstInOrder() {
        var queue = Queue()
        let registered = queue.add(1, blocking: false)
        let parked = queue.add(2, blocking: true)
        let suspended = queue.add(3, blocking: false)
        #expect(queue.suspend(suspended, with: "third") == .suspended)
        guard case .some(.none) = queue.signalFirst() else {
            Issue.record("the registered waiter was not signalled first")
            return
        }
        guard case .some(.wakeBlocked) = queue.signalFirst() else {
            Issue.record("the parked waiter was not signalled second")
            return
        }
        #expect(queue.step(blocked: parked, deadlinePassed: false) == .signalled)
        guard case .some(.resume("third")) = queue.signalFirst() else {
            Issue.record("the suspended waiter was not signalled third")
            return
        }
        guard queue.signalFirst() == nil else {
            Issue.record("a signalled waiter was signalled again")
            return
        }
        #expect(queue.suspend(registered, with: "first") == .resume(signalled: true))
        #expect(queue.count == 0)
    }

    @Test("signalAll signals only matching keys and hands the records over")
    func signalAllByKey() {
        var queue = Queue()
        let odd = queue.add(1, blocking: true)
        let even = queue.add(2, blocking: false)
        _ = queue.suspend(even, with: "even")
        let signalled = queue.signalAll { $0 % 2 == 1 }
        #expect(signalled.wakesBlocked)
        #expect(signalled.removed.map(\.id) == [odd])
        #expect(queue.records.map(\.id) == [even])
    }
}

extension WaiterQueueTests {
    @Test("a task cancelled after it suspended hands back its continuation once; before, it just leaves")
    func cancellationBeforeAndAfterSuspension() {
        var queue = Queue()
        let early = queue.add(1, blocking: false)
        let late = queue.add(1, blocking: false)
        #expect(queue.cancel(early) == nil, "nothing to resume: it had not suspended")
        #expect(queue.suspend(early, with: "early") == .resume(signalled: false), "it finds its record gone")
        #expect(queue.suspend(late, with: "late") == .suspended)
        #expect(queue.cancel(late) == "late")
        #expect(queue.cancel(late) == nil, "a second cancellation finds nothing")
        #expect(queue.count == 0)
    }

    @Test("a parked waiter keeps waiting until signalled, or leaves at its deadline")
    func parkedWaiterSteps() {
        var queue = Queue()
        let patient = queue.add(1, blocking: true)
        let impatient = queue.add(1, blocking: true)
        #expect(queue.step(blocked: patient, deadlinePassed: false) == .keepWaiting)
        #expect(queue.step(blocked: impatient, deadlinePassed: true) == .timedOut)
        #expect(queue.records.map(\.id) == [patient])
        _ = queue.signalAll { _ in true }
        #expect(queue.step(blocked: patient, deadlinePassed: true) == .signalled, "a signal wins over the deadline")
    }

    @Test("signalAll leaves a registered task marked signalled; it resumes when it suspends")
    func signalAllBeforeSuspension() {
        var queue = Queue()
        let registered = queue.add(1, blocking: false)
        let signalled = queue.signalAll { _ in true }
        #expect(signalled.removed.isEmpty && !signalled.wakesBlocked)
        #expect(queue.count == 1)
        #expect(queue.cancel(registered) == nil, "a signalled waiter cannot be cancelled any more")
        #expect(queue.suspend(registered, with: "late") == .resume(signalled: true))
        #expect(queue.count == 0)
    }

    @Test("identities are unique and increase")
    func identities() {
        var queue = Queue()
        let ids = (0..<100).map { queue.add($0, blocking: $0 % 2 == 0) }
        #expect(ids == ids.sorted() && Set(ids).count == ids.count)
    }
}
