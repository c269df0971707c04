// SPDX-License-Identifier: Apache-2.0

// The holder records of an engine that records its holders (the public report is `RundownProtecting+Holders.swift`).
extension RundownEngine {
    /// Whether this engine records its holders (it was created with `recordingHolders: true`).
    var isRecording: Bool {
        RundownWord(rawValue: word.load(ordering: .relaxed)).isRecording
    }

    /// The outstanding holders, oldest first; `nil` if this engine does not record them.
    borrowing func recordedHolders() -> [RundownHolderReport.Holder]? {
        recorder?.holders()
    }

    /// The number of recorded acquisitions, for leak checks.
    var recordedHolderCount: Int { recorder?.count ?? 0 }
}
