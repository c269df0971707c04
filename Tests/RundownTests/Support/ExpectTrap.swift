// SPDX-License-Identifier: Apache-2.0
import Testing

#if !RUNDOWN_NO_EXIT_TESTS

/// Checks that an exit test's child process wrote `message` to standard error (its trap message).
///
/// Use with `#expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { ... }`; the exit test's
/// body must be a closure literal at the call site, so this only checks what it observed.
func expectMessage(
    _ result: ExitTest.Result?,
    contains message: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let standardError = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(standardError.contains(message), "stderr was: \(standardError)", sourceLocation: sourceLocation)
}
#endif
