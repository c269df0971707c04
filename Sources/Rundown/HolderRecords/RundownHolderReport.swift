// SPDX-License-Identifier: Apache-2.0

/// Who is inside a run-down object right now: the outstanding holders, oldest first, with where and by whom each
/// acquired protection.
///
/// Holders are recorded only by objects created with `recordingHolders: true` (``RundownEngine/init(recordingHolders:)``,
/// ``RundownRef/init(recordingHolders:)``, ``CacheAwareRundownRef/init(recordingHolders:)``,
/// ``RundownProtected/init(_:recordingHolders:)``); ask any of them with `holderReport()`, typically after a timed
/// wait gave up, and log ``description``. An object that does not record reports how many holders are inside and
/// that recording is off.
///
/// A report is a snapshot: holders may leave (or arrive, before run-down began) the moment after it was taken. Once
/// the object is quiet it is exact: a holder's record is written before its acquisition returns and gone once its
/// release has returned.
///
/// ## What a record costs, and what it knows
/// Recording an acquisition takes no lock and makes no system call: the thread writes a record into memory of its own
/// (a few stores), stamped with a coarse monotonic clock (the scheduler's tick, a few milliseconds). What is costly to
/// learn is read once and cached: a thread's id and name when the thread first records (a thread renamed later keeps
/// its first name in reports on Apple platforms; on Linux a report reads every thread's current name), a task's name
/// when the task first records on a thread. A record names the thread and task that *acquired*: a guard sent to
/// another task is still reported under the task that acquired it. Holders that acquired within one clock tick on
/// different threads may be listed in either order.
public struct RundownHolderReport: Sendable, CustomStringConvertible {
    /// One outstanding holder.
    public struct Holder: Sendable, CustomStringConvertible {
        /// The file that acquired protection, as `#fileID` names it (`Module/File.swift`).
        public let fileID: String
        /// The line of the acquiring call.
        public let line: Int
        /// The function that acquired protection, as `#function` names it.
        public let function: String
        /// The thread that acquired protection: its id as the system shows it, and its name if it has one.
        public let thread: String
        /// The name of the task that acquired protection, if it ran in a named task and the platform has task names
        /// (Linux; macOS, iOS, tvOS, watchOS and visionOS 26 and later). ``taskID`` tells tasks apart everywhere.
        public let taskName: String?
        /// Whether protection was acquired in a task (rather than on a plain thread).
        public let inTask: Bool
        /// An identifier of the task that acquired protection, `nil` outside a task: the same for every holder the
        /// task acquired, different for tasks alive at the same time. A number to match holders by, not an address.
        public let taskID: UInt?
        /// When protection was acquired.
        public let acquiredAt: ContinuousClock.Instant
        /// How many holders this acquisition counts (`tryAcquire(count:)`).
        public let count: Int
        /// Whether the holder opted in to cancellation by a run-down (see `withCancellableProtection`).
        public let isCancellable: Bool
        /// The name of the object the holder is inside, as given when it was created (in a process-wide report,
        /// ``RundownHolderReport/everyRecordingObject()``, an unnamed object's kind and identity); `nil` for an
        /// unnamed object in its own report.
        public let objectName: String?

        /// Where the holder acquired protection: `Module/File.swift:42 in handle(_:)`.
        public var site: String { "\(fileID):\(line) in \(function)" }

        /// One line for a log: site, who, for how long, how many.
        public var description: String {
            let who = inTask ? "task \(taskDescription) on \(thread)" : thread
            let age = acquiredAt.duration(to: .now)
            var text = "\(site), \(who), inside for \(Self.format(age))"
            if count != 1 { text += ", \(count) holders" }
            if isCancellable { text += ", cancellable" }
            return text
        }

        /// `"name"` for a named task, `#1a2b3c4d (unnamed)` otherwise (the low 32 bits of ``taskID``, in hex).
        private var taskDescription: String {
            if let taskName { return "\"\(taskName)\"" }
            guard let taskID else { return "(unnamed)" }
            return "#\(String(UInt32(truncatingIfNeeded: taskID), radix: 16)) (unnamed)"
        }

        static func format(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            let milliseconds = Int64(seconds) * 1_000 + attoseconds / 1_000_000_000_000_000
            if milliseconds < 1_000 { return "\(milliseconds) ms" }
            return "\(milliseconds / 1_000).\(milliseconds % 1_000 / 100) s"
        }
    }

    /// The recorded outstanding holders, oldest first; empty when recording is off.
    public let holders: [Holder]

    /// Whether the object records its holders. Without recording, ``holders`` is empty and only ``holderCount``
    /// says anything.
    public let isRecording: Bool

    /// How many holders are inside, from the object's state (recorded or not).
    public let holderCount: Int

    /// When the report was taken.
    public let takenAt: ContinuousClock.Instant

    /// Whether the report covers every recording object of the process (``everyRecordingObject()``) rather than one.
    public var isProcessWide: Bool { scope == .process }

    private var scope: Scope = .object

    private enum Scope: Sendable {
        case object
        case process
    }

    init(holders: [Holder], isRecording: Bool, holderCount: Int, takenAt: ContinuousClock.Instant) {
        self.holders = holders
        self.isRecording = isRecording
        self.holderCount = holderCount
        self.takenAt = takenAt
    }

    /// Who is inside every recording object of the process right now: every recorded holder of every live object
    /// created with `recordingHolders: true`, oldest first, each with its object's name (``Holder/objectName``: the
    /// name given at creation, or the object's kind and identity). The run-down equivalent of a goroutine dump: call
    /// it when a shutdown hangs, or from a signal handler's task.
    ///
    /// Reads every thread's holder records (no lock on any fast path; a lock on the list of objects) and costs a copy
    /// of them; for diagnostics, not a hot path. Like every report, a snapshot: exact once the objects are quiet.
    public static func everyRecordingObject() -> RundownHolderReport {
        let holders = RecordingObjects.holders()
        var report = RundownHolderReport(
            holders: holders,
            isRecording: true,
            holderCount: holders.reduce(0) { $0 + $1.count },
            takenAt: .now
        )
        report.scope = .process
        return report
    }

    /// What a log line should show: the count, then every recorded holder, oldest first; or, without recording,
    /// the count and how to turn recording on.
    public var description: String {
        guard isRecording else {
            return "\(holderCount) run-down holder\(holderCount == 1 ? "" : "s") inside (holder recording is off: "
                + "create the object with recordingHolders: true to see who)"
        }
        guard !holders.isEmpty else { return "no run-down holders inside" }
        let plural = holderCount == 1 ? "" : "s"
        guard scope == .process else {
            let lines = holders.enumerated().map { index, holder in "[\(index + 1)] \(holder)" }
            return "\(holderCount) run-down holder\(plural) inside: " + lines.joined(separator: "; ")
        }
        let objects = Set(holders.map { $0.objectName ?? "" }).count
        let lines = holders.enumerated().map { index, holder in
            "[\(index + 1)] \(holder.objectName ?? "?"): \(holder)"
        }
        return "\(holderCount) run-down holder\(plural) inside \(objects) object\(objects == 1 ? "" : "s"): "
            + lines.joined(separator: "; ")
    }
}
