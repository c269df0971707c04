/// The bit layout of ``RundownRef``'s single atomic word.
///
/// ```
///  63            34 33                 2   1   0
/// +----------------+--------------------+---+---+
/// |   generation   |    holder count    | W | C |
/// +----------------+--------------------+---+---+
/// ```
/// - `C` (bit 0): run-down has begun. Acquisition refuses while it is set, so from then on the word only
///   goes down until `reInitialize()` opens the next generation.
/// - `W` (bit 1): a waiter or completion callback of this generation is registered in the lazily allocated
///   waiter store. It is only ever set while `C` is set, under the store's lock. Because it lives in the same
///   word as the count, the releaser that completes the generation learns from its own subtract whether there
///   is anyone to wake; no separate flag, no store-buffering race on a second variable.
/// - holder count (bits 2...33): the number of holders, in units of 4.
/// - generation (bits 34...63): bumped by every re-initialization, so a waiter can tell "my run-down
///   completed" from "a later one is in progress". It wraps after 2^30 generations; a waiter would have to
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
    static var waitersBit: UInt64 { 2 }

    /// One holder, as it is counted in the word.
    @inlinable
    static var holderUnit: UInt64 { 4 }

    @inlinable
    static var holderMask: UInt64 { UInt64(UInt32.max) << 2 }

    static let generationShift: UInt64 = 34

    static let generationMask: UInt64 = (1 << 30) - 1

    /// The largest number of holders one generation can have at once.
    static let maximumHolders = Int(UInt32.max)

    /// The word of a freshly initialized (or re-initialized) object of the given generation.
    static func opened(generation: UInt32) -> RundownWord {
        RundownWord(rawValue: (UInt64(generation) & generationMask) << generationShift)
    }

    @inlinable
    var isClosed: Bool { rawValue & Self.closedBit != 0 }

    var hasWaiters: Bool { rawValue & Self.waitersBit != 0 }

    var holders: Int { Int((rawValue & Self.holderMask) / Self.holderUnit) }

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
