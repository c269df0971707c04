import Rundown
import Testing

// The README's examples, compiled and run. Keep them in sync with README.md.

struct Request {}
struct Response {}

final class Plugin: Sendable {
    func handle(_ request: Request) -> Response { Response() }
    func unload() {}
}

final class PluginHost: Sendable {
    private let rundown = RundownRef()
    private let plugin: Plugin

    init(plugin: Plugin) { self.plugin = plugin }

    /// Any number of threads: runs the request unless the plugin is being unloaded.
    func handle(_ request: Request) throws -> Response {
        try rundown.withProtection {
            plugin.handle(request)
        }
    }

    /// Refuses new requests, waits for those in flight, then unloads.
    func unload() async {
        await rundown.waitForRundown()
        plugin.unload()
    }
}

@Suite("README examples")
struct ReadmeExamples {
    @Test("the quick start: requests succeed until unload, then fail")
    func quickStart() async throws {
        let host = PluginHost(plugin: Plugin())
        _ = try host.handle(Request())
        await host.unload()
        #expect(throws: RundownError.rundownInProgress) { _ = try host.handle(Request()) }
    }

    @Test("other ways to hold and to wait")
    func otherWays() throws {
        let rundown = RundownRef()
        let drainedMessages = Counter()
        do {
            let guardValue = try rundown.tryAcquire()  // a non-copyable guard; released at the end of its scope
            let batch = try rundown.tryAcquire(count: 8)  // eight holders at once, all or nothing
            #expect(rundown.state == .active(holders: 9))
            batch.release()  // or release early
            _ = consume guardValue
        }
        rundown.beginRundown()  // close without waiting
        rundown.beginRundown { drainedMessages.add() }  // ... and run this once the last holder has left
        rundown.waitForRundown()  // block this thread until drained
        let drained = rundown.waitForRundown(timeout: .seconds(5))  // false if the deadline came first
        #expect(drained)
        #expect(drainedMessages.value == 1)
        rundown.reInitialize()  // after completion: open for holders again

        // Protection that must cross a C callback, where no guard can go:
        if rundown.unsafe.tryAcquire(count: 1) {
            #expect(rundown.state == .active(holders: 1))
            rundown.unsafe.release(count: 1)
        }
        #expect(rundown.state == .active(holders: 0))
    }
}
