// SPDX-License-Identifier: Apache-2.0

/// Where a holder acquired protection: the caller's `#fileID`, `#line` and `#function`, passed as default arguments
/// of every acquiring call. Used only when holders are recorded; otherwise the values are never read, and the
/// optimizer drops them from the fast path.
///
/// Three words, so that the slow path takes it in registers and the fast path never spills it: the UTF-8 of the file
/// and function names (the static strings' storage, which lives as long as the program) and their lengths and the line
/// packed into one word.
@usableFromInline
struct HolderSite: Sendable {
    /// The address of the file name's UTF-8 (kept as a number: it points into the program's constant strings).
    @usableFromInline
    let file: UInt

    /// The address of the function name's UTF-8.
    @usableFromInline
    let function: UInt

    /// The file name's length (bits 0-15), the function name's length (bits 16-31), the line (bits 32-63).
    @usableFromInline
    let packed: UInt64

    @inlinable
    @inline(__always)
    init(fileID: StaticString, line: UInt, function: StaticString) {
        file = Self.start(of: fileID)
        self.function = Self.start(of: function)
        packed =
            Self.length(of: fileID) | Self.length(of: function) << 16
            | UInt64(truncatingIfNeeded: min(line, UInt(UInt32.max))) << 32
    }

    /// A site from the three words a holder record keeps.
    init(file: UInt, function: UInt, packed: UInt64) {
        self.file = file
        self.function = function
        self.packed = packed
    }

    /// Where the static string's UTF-8 starts; a placeholder for a string without a pointer representation (a
    /// single-scalar literal; `#fileID` and `#function` always have one).
    @inlinable
    @inline(__always)
    static func start(of string: StaticString) -> UInt {
        UInt(bitPattern: string.hasPointerRepresentation ? string.utf8Start : unknownName.utf8Start)
    }

    /// The static string's UTF-8 length, at most 65535.
    @inlinable
    @inline(__always)
    static func length(of string: StaticString) -> UInt64 {
        string.hasPointerRepresentation ? UInt64(min(string.utf8CodeUnitCount, 0xFFFF)) : 1
    }

    @usableFromInline
    static let unknownName: StaticString = "?"

    /// The file, as `#fileID` named it.
    var fileID: String { Self.string(file, length: Int(packed & 0xFFFF)) }

    /// The function, as `#function` named it.
    var functionName: String { Self.string(function, length: Int(packed >> 16 & 0xFFFF)) }

    /// The line.
    var line: Int { Int(truncatingIfNeeded: packed >> 32) }

    private static func string(_ start: UInt, length: Int) -> String {
        String(
            decoding: UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: start), count: length),
            as: UTF8.self
        )
    }
}

/// Which recorded holder an acquisition is, so that its release forgets exactly that record.
@usableFromInline
struct HolderToken: Sendable, Equatable {
    @usableFromInline
    let rawValue: UInt64

    @inlinable
    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// An acquisition that was not recorded (recording is off): its release forgets nothing.
    @inlinable
    static var unrecorded: HolderToken { HolderToken(rawValue: 0) }

    /// Whether a record has to be forgotten at the release.
    @inlinable
    var isRecorded: Bool { rawValue != 0 }
}
