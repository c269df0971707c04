// SPDX-License-Identifier: Apache-2.0
// EXPECT-ERROR: expression is 'async' but is not marked with 'await'
// Async code cannot call the blocking wait by its name: the blocking `waitForRundown()` and
// `waitForRundown(timeout:)` are `noasync` (an error, not a warning, in the Swift 6 language mode), and in an async
// context the call resolves to the suspending overload of the same name, which needs `await`. Both errors below
// are that one.
import Rundown

final class Service: Sendable {
    let rundown = RundownEngine()
}

func blockInAsyncCode(_ rundown: RundownRef) async {
    rundown.waitForRundown()
}

func blockWithTimeoutInAsyncCode(_ service: Service) async -> Bool {
    service.rundown.waitForRundown(timeout: .seconds(1))
}
