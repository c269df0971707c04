// SPDX-License-Identifier: Apache-2.0
import CRundownSupport

/// The holder records of a recording run-down object: a ``HolderRegistry`` behind a lock, and what the records say
/// about the thread or task that acquired. Touched only by objects created with `recordingHolders: true`, on their
/// acquire and release, which leave the fast path for it.
final class HolderRecorder: Sendable {
    /// One acquisition.
    struct Record: Sendable {
        let site: HolderSite
        let thread: String
        let taskName: String?
        let inTask: Bool
        let acquiredAt: ContinuousClock.Instant
        let units: UInt64
        let threadID: UInt64
        let isCancellable: Bool
    }

    private let lock = ConditionLock(HolderRegistry<Record>())

    /// Records an acquisition of `units` at `site` by the calling thread or task.
    func add(site: HolderSite, units: UInt64, cancellable: Bool = false) -> HolderToken {
        let threadID = c_rundown_thread_id()
        var name = [CChar](repeating: 0, count: 64)
        c_rundown_thread_name(&name, Int32(name.count))
        let threadName = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let inTask = withUnsafeCurrentTask { $0 != nil }
        let record = Record(
            site: site,
            thread: threadName.isEmpty ? "thread \(threadID)" : "thread \(threadID) \"\(threadName)\"",
            taskName: inTask ? Task.name : nil,
            inTask: inTask,
            acquiredAt: .now,
            units: units,
            threadID: threadID,
            isCancellable: cancellable
        )
        return HolderToken(rawValue: lock.withLock { $0.add(record) })
    }

    /// Forgets the acquisition `token`.
    func remove(_ token: HolderToken) {
        lock.withLock { _ = $0.remove(token.rawValue) }
    }

    /// Forgets an unguarded acquisition of `units`: the newest one of the calling thread if it has one, otherwise the
    /// newest one of that size (an unguarded release cannot say which acquisition it ends).
    func removeUnguarded(units: UInt64) {
        let threadID = c_rundown_thread_id()
        lock.withLock { registry in
            if registry.removeNewest(where: { $0.units == units && $0.threadID == threadID }) == nil {
                registry.removeNewest { $0.units == units }
            }
        }
    }

    /// The number of recorded acquisitions, for leak checks.
    var count: Int { lock.withLock { $0.count } }

    /// The outstanding holders, oldest first.
    func holders() -> [RundownHolderReport.Holder] {
        lock.withLock { $0.oldestFirst }.map { record in
            RundownHolderReport.Holder(
                fileID: record.site.fileID,
                line: record.site.line,
                function: record.site.functionName,
                thread: record.thread,
                taskName: record.taskName,
                inTask: record.inTask,
                acquiredAt: record.acquiredAt,
                count: Int(record.units / RundownWord.holderUnit),
                isCancellable: record.isCancellable
            )
        }
    }
}
