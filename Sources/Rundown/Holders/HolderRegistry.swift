// SPDX-License-Identifier: Apache-2.0

/// The outstanding holders of a recording run-down object, as pure state: no lock, no clock, no threads.
///
/// ``HolderRecorder`` keeps one behind its lock. Records are kept in acquisition order (the dictionary's keys
/// increase), so a report lists the oldest holder first.
struct HolderRegistry<Record> {
    private var records: [UInt64: Record] = [:]
    private var nextToken: UInt64 = 1

    /// The number of recorded holders' acquisitions.
    var count: Int { records.count }

    /// Records an acquisition; returns its token (never zero).
    mutating func add(_ record: Record) -> UInt64 {
        let token = nextToken
        nextToken += 1
        records[token] = record
        return token
    }

    /// Forgets the acquisition `token`; returns its record, `nil` if it was not recorded.
    @discardableResult
    mutating func remove(_ token: UInt64) -> Record? {
        records.removeValue(forKey: token)
    }

    /// Forgets the most recent acquisition for which `matches` holds (an unguarded release, which cannot say which
    /// acquisition it ends, forgets the newest matching one).
    @discardableResult
    mutating func removeNewest(where matches: (Record) -> Bool) -> Record? {
        guard let token = records.filter({ matches($0.value) }).keys.max() else { return nil }
        return records.removeValue(forKey: token)
    }

    /// Every record, oldest first.
    var oldestFirst: [Record] {
        records.sorted { $0.key < $1.key }.map(\.value)
    }

    /// Every record with its token, oldest first.
    var oldestFirstWithTokens: [(token: UInt64, record: Record)] {
        records.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

extension HolderRegistry: Sendable where Record: Sendable {}
