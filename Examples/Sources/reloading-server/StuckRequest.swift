// SPDX-License-Identifier: Apache-2.0
import Hummingbird
import Rundown

/// The test configuration's request that never finishes on its own (`--stuck-route PATH`).
///
/// It holds request protection until its task is cancelled, which only the service group does, and only after the
/// shutdown has given up on it: so the shutdown must wait out its deadline, log the holder report of `requests`
/// (which names this function, the site of the acquisition below) and end with `RundownShutdownTimedOut`. It stands
/// for the request that a real server cannot get rid of: a handler waiting on a peer that never answers.
///
/// It does not opt in to cancellation (`withCancellableProtection`), so the shutdown's grace-then-cancel step
/// leaves it alone, as it leaves alone every holder that did not opt in.
func stuckRequest(requests: RundownRef) async throws -> Response {
    try await requests.withProtection {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return Response(status: .serviceUnavailable)
    }
}
