/// Traps for programming errors: each message names the mistake.
///
/// `precondition` drops its message in optimized builds; a misuse must be diagnosable in production, so this
/// uses `fatalError`, which keeps it under `-O`.
@usableFromInline
enum RundownMisuse {
    @usableFromInline
    @inline(never)
    static func report(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
        fatalError(message, file: file, line: line)
    }
}
