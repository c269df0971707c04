// SPDX-License-Identifier: Apache-2.0
/// A small, fast, seedable random number generator (xoshiro256**, seeded through SplitMix64), so that a random
/// schedule can be replayed from its seed.
///
/// Not cryptographic; only for choosing test operations.
struct SeededGenerator: RandomNumberGenerator, StepChoices, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole sequence is determined by `seed`.
    init(seed: UInt64) {
        var splitMix = SplitMix64(state: seed)
        state = (splitMix.next(), splitMix.next(), splitMix.next(), splitMix.next())
    }

    /// An independent generator for stream `index` of the same seed (one per thread or task).
    init(seed: UInt64, stream index: Int) {
        var splitMix = SplitMix64(state: seed ^ (UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15))
        self.init(seed: splitMix.next())
    }

    mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    /// A uniformly chosen integer in `0..<bound`.
    mutating func below(_ bound: Int) -> Int {
        Int.random(in: 0..<bound, using: &self)
    }

    private func rotate(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}

/// SplitMix64: expands one 64-bit seed into well-mixed 64-bit values; seeds ``SeededGenerator``.
private struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// The seed of the random-schedule tests: `RUNDOWN_SEED` if set (to replay a failed run), otherwise random.
///
/// Every failure message of those tests names the seed; run again with `RUNDOWN_SEED=<seed>` to replay the same
/// operation sequences (the interleaving of threads is up to the OS and is not replayed).
enum StressSeed {
    static func current() -> UInt64 {
        if let text = environmentValue("RUNDOWN_SEED"), let seed = UInt64(text) {
            return seed
        }
        return UInt64.random(in: .min ... .max)
    }
}

/// How long the random-schedule tests run: `quick` by default, `long` with `RUNDOWN_LONG_TESTS=1`, or exactly
/// `RUNDOWN_STRESS_SECONDS` seconds when that is set.
func stressBudget(quick: Duration, long: Duration) -> Duration {
    if let text = environmentValue("RUNDOWN_STRESS_SECONDS"), let seconds = Double(text) {
        return .milliseconds(Int(seconds * 1_000))
    }
    return longTestsEnabled ? long : quick
}
