// SPDX-License-Identifier: Apache-2.0

/// Every live recording object of the process, for the process-wide report: each ``HolderRecorder`` registers its
/// identity and name when it is created and unregisters when it goes away, so the list refers to no object (it holds
/// none alive, and none of their reference counts is touched) and keeps nothing of one that is gone.
enum RecordingObjects {
    private static let names = ConditionLock<[UInt: String]>([:])

    static func register(identity: UInt, name: String) {
        names.withLock { $0[identity] = name }
    }

    static func unregister(_ identity: UInt) {
        names.withLock { _ = $0.removeValue(forKey: identity) }
    }

    /// The number of live recording objects, for leak checks.
    static var count: Int { names.withLock { $0.count } }

    /// The number of live recording objects whose name starts with `prefix`, for leak checks.
    static func count(namedWithPrefix prefix: String) -> Int {
        names.withLock { $0.values.count { $0.hasPrefix(prefix) } }
    }

    /// Every recorded holder of every live recording object, oldest first, each with its object's name.
    static func holders() -> [RundownHolderReport.Holder] {
        let names = names.withLock { $0 }
        let records = HolderRecordSlabs.all.flatMap { $0.snapshot(owners: { names[$0] != nil }) }
        return HolderRecorder.holders(of: records, objectName: nil) { names[$0.owner] }
    }
}
