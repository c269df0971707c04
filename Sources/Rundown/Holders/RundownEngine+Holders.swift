// SPDX-License-Identifier: Apache-2.0

extension RundownEngine {
    /// Whether this engine records its holders (it was created with `recordingHolders: true`).
    public var isRecordingHolders: Bool {
        RundownWord(rawValue: word.load(ordering: .relaxed)).isRecording
    }

    /// Who is inside right now: every outstanding holder, oldest first, if the engine records them; otherwise only
    /// how many there are. See ``RundownHolderReport``.
    ///
    /// Takes the recorder's lock (a recording engine) and costs a copy of the records; call it when a wait has given
    /// up or for diagnostics, not on a hot path.
    public func holderReport() -> RundownHolderReport {
        let recorder = store.load()?.recorder
        return RundownHolderReport(
            holders: recorder?.holders() ?? [],
            isRecording: recorder != nil,
            holderCount: state.holderCount,
            takenAt: .now
        )
    }

    /// The number of recorded acquisitions, for leak checks.
    var recordedHolderCount: Int { store.load()?.recorder?.count ?? 0 }
}

extension RundownState {
    /// The holders inside, in any state.
    var holderCount: Int {
        switch self {
        case .active(let holders), .runningDown(let holders): holders
        case .completed: 0
        }
    }
}
