// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import Rundown

/// The writers' turnstile of `RundownProtected`, as a state machine, without threads.
@Suite("Turnstile state machine")
struct TurnstileStateTests {
    typealias State = TurnstileState<String>

    @Test("the first writer proceeds; the turn is handed over first come, first served")
    func firstComeFirstServed() {
        var state = State()
        #expect(state.enter(blocking: false) == .proceed)
        guard case .wait(let second) = state.enter(blocking: false),
            case .wait(let third) = state.enter(blocking: true)
        else {
            Issue.record("later writers did not have to wait")
            return
        }
        #expect(state.suspend(second, with: "second") == .suspended)
        guard case .resume("second") = state.leave() else {
            Issue.record("the turn did not go to the second writer")
            return
        }
        #expect(state.step(blocked: third, deadlinePassed: false) == .keepWaiting)
        guard case .wakeBlocked = state.leave() else {
            Issue.record("the turn did not go to the parked third writer")
            return
        }
        #expect(state.step(blocked: third, deadlinePassed: true) == .signalled, "a granted turn wins over a deadline")
        guard case .none = state.leave() else {
            Issue.record("nobody was left in line")
            return
        }
        #expect(!state.isTaken)
        #expect(state.waitingWriters == 0)
    }

    @Test("a turn granted before the task suspends is taken when it suspends")
    func grantedBeforeSuspension() {
        var state = State()
        _ = state.enter(blocking: false)
        guard case .wait(let id) = state.enter(blocking: false) else { return }
        guard case .none = state.leave() else {
            Issue.record("a registered writer that has not suspended has nothing to resume yet")
            return
        }
        #expect(state.cancel(id) == nil, "a granted turn is not cancelled")
        #expect(state.suspend(id, with: "late") == .resume(signalled: true))
        #expect(state.isTaken)
    }

    @Test("a cancelled writer leaves the line; the turn skips it")
    func cancelledWriterIsSkipped() {
        var state = State()
        _ = state.enter(blocking: false)
        guard case .wait(let cancelled) = state.enter(blocking: false),
            case .wait(let next) = state.enter(blocking: false)
        else { return }
        _ = state.suspend(cancelled, with: "cancelled")
        _ = state.suspend(next, with: "next")
        #expect(state.cancel(cancelled) == "cancelled")
        guard case .resume("next") = state.leave() else {
            Issue.record("the turn did not skip the cancelled writer")
            return
        }
        #expect(state.suspend(cancelled, with: "again") == .resume(signalled: false))
    }

    @Test("a parked writer that times out leaves the line")
    func timedOutWriter() {
        var state = State()
        _ = state.enter(blocking: false)
        guard case .wait(let id) = state.enter(blocking: true) else { return }
        #expect(state.step(blocked: id, deadlinePassed: true) == .timedOut)
        guard case .none = state.leave() else {
            Issue.record("a timed-out writer got the turn")
            return
        }
        #expect(!state.isTaken)
    }
}
