// SPDX-License-Identifier: Apache-2.0

/// libFuzzer's input, read front to back as a sequence of choices.
///
/// A choice below 256 takes one byte, a larger one as many bytes as it needs; the value is the bytes modulo the
/// bound, so every input decodes to some sequence of operations. Past the end every choice is 0, and
/// ``isExhausted`` tells the drivers to stop.
final class FuzzInput: StepChoices {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = Array(bytes)
    }

    /// Whether every byte has been used.
    var isExhausted: Bool { position >= bytes.count }

    func below(_ bound: Int) -> Int {
        precondition(bound > 0, "a choice needs a positive bound")
        var value = 0
        var range = 1
        while range < bound {
            value = value << 8 | Int(nextByte())
            range <<= 8
        }
        return value % bound
    }

    /// `true` for `percent` of the byte values: ``StepChoices``'s `chance(_:)`, callable on a shared input.
    func chance(_ percent: Int) -> Bool {
        below(100) < percent
    }

    private func nextByte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }
}
