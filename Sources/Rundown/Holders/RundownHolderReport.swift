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
/// A report is a snapshot: holders may leave (or arrive, before run-down began) the moment after it was taken.
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

    /// What a log line should show: the count, then every recorded holder, oldest first; or, without recording,
    /// the count and how to turn recording on.
    public var description: String {
        guard isRecording else {
            return "\(holderCount) run-down holder\(holderCount == 1 ? "" : "s") inside (holder recording is off: "
                + "create the object with recordingHolders: true to see who)"
        }
        guard !holders.isEmpty else { return "no run-down holders inside" }
        let lines = holders.enumerated().map { index, holder in "[\(index + 1)] \(holder)" }
        return "\(holderCount) run-down holder\(holderCount == 1 ? "" : "s") inside: " + lines.joined(separator: "; ")
    }
}
