// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// How the readers of a ``RundownProtected`` count: the value tests run against each.
enum ReaderKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// On one word per value slot (the default).
    case oneWord
    /// Per CPU, on the process's fast path (restartable sequences where they are available).
    case perCPU
    /// Per CPU, forced onto atomic slots, so that one process tests both per-CPU paths.
    case perCPUAtomicSlots

    /// An object of this kind that protects `value`, named `name` if one is given, recording its readers if
    /// `recordingHolders`.
    func make<Value: Sendable>(
        _ value: Value,
        name: String? = nil,
        recordingHolders: Bool = false
    ) -> RundownProtected<Value> {
        switch self {
        case .oneWord: RundownProtected(value, name: name, recordingHolders: recordingHolders, perCPUReaders: false)
        case .perCPU: RundownProtected(value, name: name, recordingHolders: recordingHolders, perCPUReaders: true)
        case .perCPUAtomicSlots:
            RundownProtected(value, name: name, recordingHolders: recordingHolders, perCPUReadersOnAtomicSlots: true)
        }
    }

    var description: String { rawValue }
}
