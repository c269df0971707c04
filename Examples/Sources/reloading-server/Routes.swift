// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import Rundown

extension HTTPField.Name {
    /// The generation of the configuration that served the request.
    static let generation = Self("x-generation")!
}

/// The public routes: every path is looked up in the current route table.
///
/// Every request runs under protection of `requests`, the run-down object that the shutdown drains (a
/// ``RundownShutdownService``); once its run-down has begun, requests are answered 503 at once. With `stuckRoute`
/// (the test configuration), that path is served by ``stuckRequest(requests:)``, which never finishes on its own.
func publicRouter(store: ConfigurationStore, requests: RundownRef, stuckRoute: String?) -> Router<BasicRequestContext> {
    let router = Router()
    if let stuckRoute {
        router.get(RouterPath(stuckRoute)) { _, _ -> Response in
            do {
                return try await stuckRequest(requests: requests)
            } catch RundownError.rundownInProgress {
                return Response(status: .serviceUnavailable)
            }
        }
    }
    router.get("**") { request, _ -> Response in
        do {
            return try await requests.withProtection { try await answer(request, store: store) }
        } catch RundownError.rundownInProgress {
            return Response(status: .serviceUnavailable)
        }
    }
    return router
}

/// Answers one public request from the current route table.
private func answer(_ request: Request, store: ConfigurationStore) async throws -> Response {
    let path = request.uri.path
    do {
        return try await store.withTable { table in
            var headers = HTTPFields()
            headers[.generation] = String(table.generation)
            guard let route = table.routes[path] else {
                return Response(status: .notFound, headers: headers, body: .init(byteBuffer: ByteBuffer()))
            }
            if route.delayMilliseconds > 0 {
                // The request keeps its generation across the suspension: a reload meanwhile waits for it.
                try? await Task.sleep(for: .milliseconds(route.delayMilliseconds))
            }
            guard let body = table.render(route, path: path) else {
                return Response(status: .internalServerError, headers: headers)
            }
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body + "\n")))
        }
    } catch RundownError.rundownInProgress {
        return Response(status: .serviceUnavailable)
    }
}

/// The admin routes, served on loopback only: reload, and statistics.
func adminRouter(store: ConfigurationStore, reloads: ReloadQueue, requests: RundownRef) -> Router<BasicRequestContext> {
    let router = Router()
    router.post("/admin/reload") { _, _ -> Response in
        switch await reloads.reload(reason: "admin") {
        case .reloaded(let generation, let previous, let previousServed):
            let text =
                "installed generation \(generation); generation \(previous) torn down after its last request "
                + "(\(previousServed) requests)\n"
            var headers = HTTPFields()
            headers[.generation] = String(generation)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        case .loadFailed(let message):
            return Response(
                status: .unprocessableContent,
                body: .init(byteBuffer: ByteBuffer(string: "reload failed: \(message)\n"))
            )
        case .shuttingDown:
            return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "shutting down\n")))
        }
    }
    router.get("/admin/stats") { _, _ -> Response in
        let statistics = ServerStatistics(
            current: store.currentGeneration,
            requestsInFlight: store.inFlight,
            protectedRequests: protectedRequests(requests.state),
            generations: store.ledger.all
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: .ok,
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(statistics)))
        )
    }
    return router
}

/// The holders a state reports.
private func protectedRequests(_ state: RundownState) -> Int {
    switch state {
    case .active(let holders), .runningDown(let holders): holders
    case .completed: 0
    }
}
