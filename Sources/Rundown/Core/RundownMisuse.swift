// SPDX-License-Identifier: Apache-2.0

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

    /// Re-initialization of an object whose run-down has not completed.
    static func reInitialized(in state: RundownState) -> Never {
        switch state {
        case .active(let holders):
            report("re-initialized while active (\(holders) holders) before run-down began: run down first")
        case .runningDown(let holders):
            report("re-initialized while \(holders) holders remain: wait for run-down to complete first")
        case .completed:
            report("re-initialized concurrently with another re-initialization")
        }
    }
}
