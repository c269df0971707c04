// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization

/// Runs the operations an input spells on a ``RundownProtected``, checking every step against a
/// ``ProtectedModel``.
///
/// Readers are nested `withValue` scopes: the operations between "read" and "leave" run inside the body, so that
/// replacements and retirements meet readers inside. Writers use the blocking forms, bounded with a zero (or
/// negative) timeout or unbounded; an unbounded one that would wait forever on this thread is skipped, as the model
/// predicts. After every step it compares the waiter records, the holder report and records, and the number of live
/// values; every value handed back must be the one the model names, every deferred teardown must receive its value
/// exactly when the last reader leaves, and once the object is gone no value may be left alive.
final class ProtectedDriver {
    /// The operations, in the order of the byte that selects them (the byte modulo their number).
    enum Operation: CaseIterable {
        case read
        case leave
        case replace
        case retire
        case describe
    }

    /// How deep readers nest at most.
    static let maximumDepth = 8

    private let input: FuzzInput
    private var log: StepLog
    private let live: Counter
    private let protected: RundownProtected<TrackedValue>
    private let isRecording: Bool
    private var model: ProtectedModel
    private var nextValue = 1
    /// The values deferred teardowns received, in order.
    private let tornDown = TeardownLog()
    /// The values the model says deferred teardowns must have received, in order.
    private var expectedTornDown: [Int] = []

    private init(input: FuzzInput, log: StepLog, live: Counter, recordingHolders: Bool, perCPUReaders: Bool) {
        self.input = input
        self.log = log
        self.live = live
        isRecording = recordingHolders
        protected = RundownProtected(
            TrackedValue(0, live: live),
            recordingHolders: recordingHolders,
            perCPUReaders: perCPUReaders
        )
        model = ProtectedModel(initialValue: 0)
    }

    /// Runs the whole input on a fresh object, then drops the object and checks that no value outlived it.
    static func run(_ input: FuzzInput, log: StepLog, recordingHolders: Bool, perCPUReaders: Bool) {
        let live = Counter()
        var log = log
        do {
            let driver = ProtectedDriver(
                input: input,
                log: log,
                live: live,
                recordingHolders: recordingHolders,
                perCPUReaders: perCPUReaders
            )
            driver.runSteps(depth: 0)
            driver.log.expect(!driver.model.owesHandover, "the run ended with a handover still owed")
            log = driver.log
        }
        log.expect(live.value == 0, "\(live.value) values outlived their RundownProtected")
    }

    /// Runs operations until the input ends or, inside a reader, until an operation leaves it.
    private func runSteps(depth: Int) {
        while !input.isExhausted {
            log.beginStep()
            switch Operation.allCases[input.below(Operation.allCases.count)] {
            case .read:
                guard depth < Self.maximumDepth else { break }
                read(depth: depth + 1)
            case .leave:
                guard depth == 0 else { return }
            case .replace: replace()
            case .retire: retire()
            case .describe:
                log.note("describe")
                _ = protected.holderReport().description
            }
            checkStep()
        }
    }

    // MARK: Steps

    /// A reader, with either form; its body runs the next operations.
    private func read(depth: Int) {
        let ifAvailable = input.chance(50)
        let expected = model.beginRead()
        log.note("\(ifAvailable ? "withValueIfAvailable" : "withValue") (reader \(depth))")
        var seen: Int?
        let body: (borrowing TrackedValue) -> sending Void = { value in
            seen = value.id
            self.runSteps(depth: depth)
        }
        let ran =
            ifAvailable ? protected.withValueIfAvailable(body) != nil : (try? protected.withValue(body)) != nil
        if ran { log.note("reader \(depth) ended") }
        log.expect(ran == (expected != nil), "a reader ran: \(ran); the model says \(expected != nil)")
        guard let expected, ran else { return }
        log.expect(seen == expected.value, "a reader saw value \(seen ?? -1); the model says \(expected.value)")
        if case .tornDown(let value) = model.endRead(slot: expected.slot) { expectedTornDown.append(value) }
    }

    private func replace() {
        let bounded = input.chance(75)
        let value = TrackedValue(nextValue, live: live)
        nextValue += 1
        guard let expected = model.replace(with: value.id, bounded: bounded) else {
            return log.note("replace with \(value.id) skipped: it would wait forever for this thread")
        }
        log.note("\(bounded ? "bounded " : "")replace with \(value.id)")
        let replaced: ProtectedModel.Replacement
        do {
            if bounded {
                let outcome = try protected.replace(with: value, timeout: zeroTimeout(), teardown: tornDown.receive)
                replaced =
                    switch outcome {
                    case .replaced(let old): .replaced(old: old.id)
                    case .teardownDeferred: .teardownDeferred
                    case .notInstalled: .notInstalled
                    }
            } else {
                replaced = .replaced(old: try protected.replace(with: value).id)
            }
        } catch {
            replaced = .refused
        }
        log.expect(replaced == expected, "the replacement returned \(replaced); the model says \(expected)")
    }

    private func retire() {
        let bounded = input.chance(75)
        guard let expected = model.retire(bounded: bounded) else {
            return log.note("retire skipped: it would wait forever for this thread")
        }
        log.note("\(bounded ? "bounded " : "")retire")
        let retired: ProtectedModel.Retirement
        do {
            if bounded {
                retired = try protected.retire(timeout: zeroTimeout()).map { .returned($0.id) } ?? .gaveUp
            } else {
                retired = .returned(try protected.retire().id)
            }
        } catch {
            retired = .refused
        }
        log.expect(retired == expected, "the retirement returned \(retired); the model says \(expected)")
    }

    // MARK: Checks

    private func checkStep() {
        let records = protected.liveWaiterRecordCount
        log.expect(records == model.liveRecords, "\(records) live waiter records; the model says \(model.liveRecords)")
        let readers = protected.holderReport().holderCount
        log.expect(readers == model.readers, "the holder report counts \(readers) readers; the model \(model.readers)")
        let holderRecords = protected.liveHolderRecordCount
        let expectedRecords = isRecording ? model.readers : 0
        log.expect(holderRecords == expectedRecords, "\(holderRecords) holder records for \(expectedRecords) readers")
        log.expect(live.value == model.liveValues, "\(live.value) values alive; the model says \(model.liveValues)")
        let tornDown = tornDown.received
        log.expect(tornDown == expectedTornDown, "teardowns received \(tornDown); the model says \(expectedTornDown)")
    }

    private func zeroTimeout() -> Duration {
        input.chance(50) ? .zero : .milliseconds(-1)
    }
}

/// The values that deferred teardowns received, in order; a teardown may run on any thread.
private final class TeardownLog: Sendable {
    private let values = Mutex<[Int]>([])

    /// What teardowns received so far.
    var received: [Int] { values.withLock { $0 } }

    /// A teardown: records the value's number, then drops the value.
    @Sendable
    func receive(_ value: TrackedValue) {
        values.withLock { $0.append(value.id) }
    }
}
