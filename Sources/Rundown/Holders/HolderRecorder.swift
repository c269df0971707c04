// SPDX-License-Identifier: Apache-2.0
import CRundownSupport

/// The holder records of a recording run-down object: a ``HolderRegistry`` behind a lock, and what the records say
/// about the thread or task that acquired. Touched only by objects created with `recordingHolders: true`, on their
/// acquire and release, which leave the fast path for it.
final class HolderRecorder: Sendable {
    /// One acquisition.
    struct Record: Sendable {
        let site: HolderSite
        let thread: ThreadIdentity
        let task: TaskIdentity?
        let acquiredAt: ContinuousClock.Instant
        let units: UInt64
        let kind: HolderKind
    }

    private let lock = ConditionLock(HolderRegistry<Record>())

    /// Records an acquisition of `units` at `site` by the calling thread or task.
    func add(site: HolderSite, units: UInt64, kind: HolderKind) -> HolderToken {
        let task = TaskIdentity.current
        let record = Record(
            site: site,
            thread: .current,
            task: task,
            acquiredAt: .now,
            units: units,
            kind: kind
        )
        return HolderToken(rawValue: lock.withLock { $0.add(record) })
    }

    /// Forgets the acquisition `token`.
    func remove(_ token: HolderToken) {
        lock.withLock { _ = $0.remove(token.rawValue) }
    }

    /// Forgets an unguarded acquisition of `units`: the newest unguarded one of the calling thread if it has one,
    /// otherwise the newest unguarded one of that size (an unguarded release cannot say which acquisition it ends).
    /// Records of guards and scopes are never taken: their own releases forget them.
    func removeUnguarded(units: UInt64) {
        let threadID = c_rundown_thread_id()
        lock.withLock { registry in
            let own = registry.removeNewest { $0.kind == .unguarded && $0.units == units && $0.thread.id == threadID }
            if own == nil { registry.removeNewest { $0.kind == .unguarded && $0.units == units } }
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
                thread: record.thread.description,
                taskName: record.task?.name,
                inTask: record.task != nil,
                taskID: record.task?.id,
                acquiredAt: record.acquiredAt,
                count: Int(record.units / RundownWord.holderUnit),
                isCancellable: record.kind == .cancellable
            )
        }
    }
}
