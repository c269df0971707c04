// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// The bit layout of a ``RundownEngine``'s single atomic word.
///
/// ```
///  63          35  34  33                 2   1   0
/// +--------------+---+--------------------+---+---+
/// |  generation  | W |    holder count    | R | C |
/// +--------------+---+--------------------+---+---+
/// ```
/// - `C` (bit 0): run-down has begun. Acquisition refuses while it is set, so from then on the word only
///   goes down until `reInitialize()` opens the next generation.
/// - `R` (bit 1): the object records its holders (`recordingHolders: true`); set for its whole life. An acquisition
///   leaves its fast path when `C` or `R` is set: one test of the value it already loaded, so an object that does
///   not record pays nothing for the feature.
/// - holder count (bits 2...33): the number of holders, in units of 4.
/// - `W` (bit 34): a waiter or completion callback of this generation is registered in the lazily allocated
///   waiter store. It is only ever set while `C` is set, under the store's lock. Because it lives in the same
///   word as the count, the releaser that completes the generation learns from its own subtract whether there
///   is anyone to wake; no separate flag, no store-buffering race on a second variable.
/// - generation (bits 35...63): bumped by every re-initialization, so a waiter can tell "my run-down
///   completed" from "a later one is in progress". It wraps after 2^29 generations; a waiter would have to
///   stall for that many complete run-down cycles inside its few-instruction registration window to be
///   confused.
@usableFromInline
struct RundownWord: Equatable, Sendable {
    @usableFromInline
    var rawValue: UInt64

    @inlinable
    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    @inlinable
    static var closedBit: UInt64 { 1 }

    @inlinable
    static var recordingBit: UInt64 { 2 }

    @inlinable
    static var waitersBit: UInt64 { 1 << 34 }

    /// The bits that send an acquisition to its slow path: run-down has begun, or holders are recorded.
    @inlinable
    static var acquireSlowPathBits: UInt64 { closedBit | recordingBit }

    /// One holder, as it is counted in the word.
    @inlinable
    static var holderUnit: UInt64 { 4 }

    @inlinable
    static var holderMask: UInt64 { UInt64(UInt32.max) << 2 }

    static let generationShift: UInt64 = 35

    static let generationMask: UInt64 = (1 << 29) - 1

    /// The largest number of holders one generation can have at once: what the 32-bit count holds, and what an
    /// `Int` holds where `Int` is 32 bits wide (watchOS on arm64_32).
    @inlinable
    static var maximumHolders: Int { Int(truncatingIfNeeded: min(UInt64(UInt32.max), UInt64(Int.max))) }

    /// The largest holder count, in word units; equal to ``holderMask`` where `Int` is 64 bits wide.
    @inlinable
    static var holderLimit: UInt64 { UInt64(maximumHolders) * holderUnit }

    /// The word of a freshly initialized (or re-initialized) object of the given generation; `recording` sets `R`.
    static func opened(generation: UInt32, recording: Bool = false) -> RundownWord {
        RundownWord(rawValue: (UInt64(generation) & generationMask) << generationShift | (recording ? recordingBit : 0))
    }

    /// Whether the object records its holders.
    var isRecording: Bool { rawValue & Self.recordingBit != 0 }

    @inlinable
    var isClosed: Bool { rawValue & Self.closedBit != 0 }

    var hasWaiters: Bool { rawValue & Self.waitersBit != 0 }

    var holders: Int { Int(truncatingIfNeeded: (rawValue & Self.holderMask) / Self.holderUnit) }

    var generation: UInt32 { UInt32(truncatingIfNeeded: (rawValue >> Self.generationShift) & Self.generationMask) }

    /// Run-down has begun and every holder has left: the generation is complete.
    var isCompleted: Bool { isClosed && rawValue & Self.holderMask == 0 }

    /// Whether the run-down of `generation` has completed, judged from this (later) word.
    func hasCompleted(generation: UInt32) -> Bool {
        self.generation != generation || isCompleted
    }

    var state: RundownState {
        if !isClosed { return .active(holders: holders) }
        return isCompleted ? .completed : .runningDown(holders: holders)
    }

    /// The word units for `count` holders; traps on a count that is not positive or is too large.
    @usableFromInline
    static func units(forCount count: Int) -> UInt64 {
        guard count > 0 else {
            RundownMisuse.report(
                "run-down protection acquired or released with a count of \(count); the count must be positive"
            )
        }
        guard count <= maximumHolders else {
            RundownMisuse.report(
                "run-down protection count \(count) would overflow the holder count (at most \(maximumHolders) holders)"
            )
        }
        return UInt64(count) * holderUnit
    }
}

// The two steps every run-down word takes on its fast path: the engine's word and the per-CPU slots of
// `CacheAwareRundownRef` alike. One piece of code, inlined into each caller.
extension Atomic where Value == UInt64 {
    /// Adds `units` holders unless one of `stopBits` is set (by default the closed bit). One compare-and-swap,
    /// retried only under contention; a refusal writes nothing. Success is *acquiring*.
    ///
    /// - Parameters:
    ///   - limit: The largest holder count (in word units) the word may reach; `overflow` is called beyond it.
    ///   - stopBits: The bits that make it give up without writing (the caller's slow path decides why).
    ///   - overflow: Traps with a message naming the count.
    @inlinable
    @inline(__always)
    func acquireHolders(
        _ units: UInt64,
        limit: UInt64,
        stoppingAt stopBits: UInt64 = RundownWord.closedBit,
        overflow: (UInt64) -> Never
    ) -> Bool {
        var current = load(ordering: .relaxed)
        while true {
            if current & stopBits != 0 { return false }
            if units > limit || current & RundownWord.holderMask > limit - units { overflow(current) }
            let (exchanged, original) = weakCompareExchange(
                expected: current,
                desired: current &+ units,
                successOrdering: .acquiring,
                failureOrdering: .relaxed
            )
            if exchanged { return true }
            current = original
        }
    }

    /// Removes `units` holders with one atomic subtract (*releasing*).
    ///
    /// `wrappingSubtract`, not `subtract`: the checked form compiles to a compare-and-swap loop; underflow is
    /// detected from the old value instead.
    ///
    /// - Returns: The old value if the release must leave the fast path: the word had one of `slowBits` set (by
    ///   default the closed bit: run-down has begun, and this release may complete it) or held fewer than `units`
    ///   (misuse). `nil` otherwise.
    @inlinable
    @inline(__always)
    func releaseHolders(_ units: UInt64, slowBits: UInt64 = RundownWord.closedBit) -> UInt64? {
        let old = wrappingSubtract(units, ordering: .releasing).oldValue
        return old & slowBits != 0 || old & RundownWord.holderMask < units ? old : nil
    }
}
