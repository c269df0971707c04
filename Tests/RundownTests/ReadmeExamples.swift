@_spi(Testing) import Rundown
// SPDX-License-Identifier: Apache-2.0
import Synchronization
import Testing

// The README's examples, compiled and run, and every public spelling that existed before the engine, so that old
// callers keep compiling. Keep them in sync with README.md.

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

/// The README's replaced value.
struct RouteTable: Sendable {
    var routes: [String: String]
    func target(for path: String) -> String? { routes[path] }
}

/// What the README's embedding example writes to.
final class Socket: Sendable {
    private let written = Mutex(0)
    private let closed = Atomic(false)

    var bytesWritten: Int { written.withLock { $0 } }
    var isClosed: Bool { closed.load(ordering: .relaxed) }

    func write(_ bytes: [UInt8]) {
        precondition(!isClosed, "written after close")
        written.withLock { $0 += bytes.count }
    }

    func checkedWrite(_ bytes: [UInt8]) throws(SocketError) -> Int {
        guard !bytes.isEmpty else { throw .emptyWrite }
        write(bytes)
        return bytes.count
    }

    func close() { closed.store(true, ordering: .relaxed) }
}

enum SocketError: Error, Equatable {
    case emptyWrite
}

final class Connection: Sendable {
    private let rundown = RundownEngine()
    private let socket: Socket

    init(socket: Socket) { self.socket = socket }

    /// Any number of tasks: sends unless the connection is closing.
    func send(_ bytes: [UInt8]) throws {
        try rundown.withProtection { socket.write(bytes) }
    }

    /// The same, keeping the body's typed error: `nil` once the connection is closing.
    func sendIfOpen(_ bytes: [UInt8]) throws(SocketError) -> Int? {
        try rundown.withProtectionIfAvailable { () throws(SocketError) -> Int in
            try socket.checkedWrite(bytes)
        }
    }

    /// Refuses new sends, waits for those in flight, then closes.
    func close() async {
        await rundown.waitForRundown()
        socket.close()
    }
}

/// A non-copyable value, to pass through `withProtection` as a result.
struct UniqueTicket: ~Copyable {
    let number: Int
}

@Suite("README examples and source compatibility")
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
        rundown.beginRundown()  // close without waiting; true if this call began it
        rundown.beginRundown { drainedMessages.add() }  // ... and run this once the last holder has left
        rundown.waitForRundown()  // block this thread until drained
        let drained = rundown.waitForRundown(timeout: .seconds(5))  // false if the deadline came first
        #expect(drained)
        #expect(drainedMessages.value == 1)
        rundown.reInitialize()  // after completion: open for holders again

        // Protection that must cross a C callback, where no guard can go:
        if rundown.unsafeTryAcquire(count: 1) {
            #expect(rundown.state == .active(holders: 1))
            rundown.unsafeRelease(count: 1)
        }
        #expect(rundown.state == .active(holders: 0))
    }

    @Test("holder reports: a timed wait hands one back, and one call lists every named recording object's holders")
    func holderReports() async throws {
        let requests = RundownRef(name: "readme requests", recordingHolders: true)
        let plugins = CacheAwareRundownRef(name: "readme plugins", recordingHolders: true)
        let request = try requests.tryAcquire()
        usleep(20_000)  // a clock tick apart, so that the order is the order of acquisition
        let call = try plugins.tryAcquire()
        let report = await requests.waitForRundownReportingHolders(timeout: .milliseconds(10))
        #expect(report?.holders.count == 1)
        #expect(
            report?.description.hasPrefix("1 run-down holder inside: [1] RundownTests/ReadmeExamples.swift:") == true
        )
        let everywhere = RundownHolderReport.everyRecordingObject()
        let ours = everywhere.holders.filter { $0.objectName?.hasPrefix("readme ") == true }
        #expect(ours.map(\.objectName) == ["readme requests", "readme plugins"])
        #expect(everywhere.description.contains("readme plugins: RundownTests/ReadmeExamples.swift:"))
        request.release()
        call.release()
    }

    @Test("a value that gets replaced: readers on every core, a reload hands the old table back")
    func replacedValue() async throws {
        let routes = RundownProtected(RouteTable(routes: ["/": "home"]), name: "readme routes", perCPUReaders: true)
        func route(_ path: String) throws -> String? {
            try routes.withValue { table in table.target(for: path) }
        }
        func reload(with table: RouteTable) async throws -> RouteTable {
            let old = try await routes.replace(with: table)  // readers from now on see `table`
            return old  // its last reader has left: nobody can reach it any more
        }
        #expect(routes.hasPerCPUReaders)
        #expect(try route("/") == "home")
        let old = try await reload(with: RouteTable(routes: ["/": "start"]))
        #expect(old.routes == ["/": "home"])
        #expect(try route("/") == "start")
    }

    @Test("embedding: an engine in a final class, closure form, typed errors, close")
    func embedding() async throws {
        let socket = Socket()
        let connection = Connection(socket: socket)
        try connection.send([1, 2, 3])
        #expect(try connection.sendIfOpen([4]) == 1)
        #expect(throws: SocketError.emptyWrite) { _ = try connection.sendIfOpen([]) }
        await connection.close()
        #expect(socket.isClosed)
        #expect(throws: RundownError.rundownInProgress) { try connection.send([5]) }
        #expect(try connection.sendIfOpen([6]) == nil)
        #expect(socket.bytesWritten == 4)
    }

    @Test("a non-copyable result passes through withProtection on every type")
    func nonCopyableResult() throws {
        let engine = RundownEngine()
        let fromEngine = try engine.withProtection { UniqueTicket(number: 1) }
        let fromRef = try RundownRef().withProtection { UniqueTicket(number: 2) }
        let fromCacheAware = try CacheAwareRundownRef().withProtection { UniqueTicket(number: 3) }
        let fromProtected = try RundownProtected(4).withValue { UniqueTicket(number: $0) }
        #expect([fromEngine.number, fromRef.number, fromCacheAware.number, fromProtected.number] == [1, 2, 3, 4])
        guard let ticket = engine.withProtectionIfAvailable({ UniqueTicket(number: 5) }) else {
            Issue.record("withProtectionIfAvailable refused on an open engine")
            return
        }
        let number = ticket.number
        #expect(number == 5)
    }

    @Test(
        "a typed error comes back typed from withProtectionIfAvailable, on every type",
        arguments: RundownFlavor.allCases
    )
    func typedErrorStaysTyped(flavor: RundownFlavor) {
        let rundown = flavor.make()
        do {
            _ = try rundown.withProtectionIfAvailable { () throws(SocketError) -> Int in throw .emptyWrite }
            Issue.record("the body's error was not thrown")
        } catch {
            let typed: SocketError = error  // no cast: the error's static type is `SocketError`
            #expect(typed == .emptyWrite)
        }
        rundown.beginRundown()
        let refused: Int? = rundown.withProtectionIfAvailable { 1 }
        #expect(refused == nil, "a refused acquisition returns nil instead of throwing")
        #expect(rundown.state == .completed)
    }

    @Test("beginRundown() tells whether this call began the run-down")
    func beginRundownReportsWhetherItBegan() {
        let engine = RundownEngine()
        let first = engine.beginRundown()
        let second = engine.beginRundown()
        engine.reInitialize()
        let afterReInitialize = engine.beginRundown()
        #expect(first && !second && afterReInitialize)
        for flavor in RundownFlavor.allCases {
            let rundown = flavor.make()
            #expect(rundown.beginRundown(), "\(flavor)")
            #expect(!rundown.beginRundown(), "\(flavor)")
        }
        let protected = RundownRef()
        let held = protected.unsafeTryAcquire()
        #expect(held && protected.beginRundown())
        #expect(!protected.beginRundown(), "a second begin while running down did not begin anything")
        protected.unsafeRelease()
    }

    @Test("every blocking wait, called from synchronous code on each type (async code gets the async overloads)")
    func blockingWaitsFromSynchronousCode() throws {
        let engine = RundownEngine()
        engine.waitForRundown()
        let drained = engine.waitForRundown(timeout: .zero)
        #expect(drained)
        for flavor in RundownFlavor.allCases {
            let rundown = flavor.make()
            rundown.waitForRundown()
            #expect(rundown.waitForRundown(timeout: .milliseconds(1)))
        }
        let protected = RundownProtected(1)
        let replaced = try protected.replace(with: 2)
        let retired = try protected.retire()
        #expect(replaced == 1 && retired == 2)
    }

    @Test("the engine allocates nothing on acquire, release, begin, or a wait that has nothing to wait for")
    func engineAllocatesNothingUntilItBlocks() throws {
        let engine = RundownEngine()
        try engine.withProtection {}
        let acquired = engine.unsafeTryAcquire(count: 2)
        engine.unsafeRelease(count: 2)
        let began = engine.beginRundown()
        engine.waitForRundown()
        let drained = engine.waitForRundown(timeout: .seconds(1))
        engine.beginRundown {}
        let storeBeforeBlocking = engine.hasWaiterStore
        #expect(acquired && began && drained)
        #expect(!storeBeforeBlocking, "the waiter store was allocated without a wait that blocked")
        engine.reInitialize()
        let held = engine.unsafeTryAcquire()
        let timedOut = !engine.waitForRundown(timeout: .milliseconds(1))
        let storeAfterBlocking = engine.hasWaiterStore
        engine.unsafeRelease()
        let records = engine.liveWaiterRecordCount
        #expect(held && timedOut)
        #expect(storeAfterBlocking, "a wait that blocked has a store")
        #expect(records == 0)
    }
}
