// SPDX-License-Identifier: Apache-2.0

/// How an instance of ``CacheAwareRundownRef`` counts its holders; fixed when it is created.
@usableFromInline
enum PerCPUMode: UInt8, Sendable {
    /// Per-CPU slots written by restartable sequences, holding net counts (see ``CacheAwareRundownRef/FastPath``).
    case restartableSequences
    /// Per-CPU slots, each an atomic word with its own closed bit.
    case atomicSlots
    /// Restartable sequences, and every holder recorded (out of line, after the section).
    case recordingRestartableSequences
    /// Atomic slots, and every holder recorded (out of line, after the compare-and-swap).
    case recordingAtomicSlots

    /// The mode for a fast path and whether holders are recorded.
    init(restartableSequences: Bool, recording: Bool) {
        switch (restartableSequences, recording) {
        case (true, false): self = .restartableSequences
        case (false, false): self = .atomicSlots
        case (true, true): self = .recordingRestartableSequences
        case (false, true): self = .recordingAtomicSlots
        }
    }

    /// Whether slots are written by restartable sequences (and hold net counts).
    @inlinable
    var usesRestartableSequences: Bool { self == .restartableSequences || self == .recordingRestartableSequences }

    /// Whether holders are recorded.
    @inlinable
    var records: Bool { self == .recordingRestartableSequences || self == .recordingAtomicSlots }
}
