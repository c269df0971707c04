// SPDX-License-Identifier: Apache-2.0
import Testing

#if RUNDOWN_NO_EXIT_TESTS
/// Where Swift Testing has no exit tests (iOS, tvOS, watchOS, visionOS: a test cannot start a child process there),
/// the misuse traps cannot be observed: they are reported as skipped, with the reason, instead of vanishing.
@Suite("Misuse traps")
struct ExitTestsUnavailable {
    @Test(
        "every misuse traps with a message naming the mistake",
        .disabled("exit tests are not available on this platform; the misuse traps are tested on macOS and Linux")
    )
    func misuseTraps() {}
}
#endif
