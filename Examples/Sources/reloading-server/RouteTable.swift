// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// One generation of the server's configuration: a routing table whose templates are read, on every request,
/// from the file the table was loaded from, through a file descriptor that the table owns.
///
/// The open descriptor stands for any resource a configuration or plugin owns (a loaded library, a connection
/// pool, a template cache): ``tearDown()`` closes it, and a request that still used the table afterwards would read
/// from a closed (or, worse, reused) descriptor. That is exactly what `RundownProtected` rules out; the table still
/// counts its readers and any use after teardown, so that the end-to-end test can check it.
final class RouteTable: Sendable {
    /// A route: how long the handler waits before answering (to keep requests in flight across reloads), and where
    /// its template lies in the file.
    struct Route: Sendable {
        let delayMilliseconds: Int
        let templateOffset: Int
        let templateLength: Int
    }

    /// What a teardown found.
    struct Teardown: Sendable {
        let generation: Int
        let served: Int
        let inFlight: Int
        let usesAfterTeardown: Int
        let wasFirstTeardown: Bool
    }

    enum LoadError: Error, CustomStringConvertible {
        case cannotOpen(path: String, errno: Int32)
        case cannotRead(path: String, errno: Int32)
        case badLine(number: Int, text: String)
        case noRoutes(path: String)

        var description: String {
            switch self {
            case .cannotOpen(let path, let code): "cannot open \(path): errno \(code)"
            case .cannotRead(let path, let code): "cannot read \(path): errno \(code)"
            case .badLine(let number, let text): "line \(number) is not 'PATH DELAY-MS TEMPLATE': \(text)"
            case .noRoutes(let path): "\(path) defines no routes"
            }
        }
    }

    let generation: Int
    let routes: [String: Route]
    private let descriptor: Int32
    private let inFlightCount = Atomic<Int>(0)
    private let servedCount = Atomic<Int>(0)
    private let lateUses = Atomic<Int>(0)
    private let tornDown = Atomic<Bool>(false)

    /// Loads the table from `path`: one route a line, `PATH DELAY-MS TEMPLATE`; `#` starts a comment line.
    init(loadingFrom path: String, generation: Int) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LoadError.cannotOpen(path: path, errno: errno) }
        do {
            let bytes = try Self.readAll(descriptor, path: path)
            routes = try Self.parse(bytes)
            guard !routes.isEmpty else { throw LoadError.noRoutes(path: path) }
        } catch {
            close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        self.generation = generation
    }

    deinit {
        if !tornDown.load(ordering: .relaxed) { close(descriptor) }
    }

    var served: Int { servedCount.load(ordering: .relaxed) }
    var inFlight: Int { inFlightCount.load(ordering: .relaxed) }

    /// Marks the start of a request that uses this table; counts a use after teardown (which must never happen).
    func beginRequest() {
        inFlightCount.add(1, ordering: .relaxed)
        if tornDown.load(ordering: .relaxed) { lateUses.add(1, ordering: .relaxed) }
    }

    /// Marks the end of a request that used this table.
    func endRequest() {
        servedCount.add(1, ordering: .relaxed)
        inFlightCount.subtract(1, ordering: .relaxed)
    }

    /// Renders the template of `route` for `path`, reading the template from the table's file.
    func render(_ route: Route, path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: route.templateLength)
        let count = buffer.withUnsafeMutableBytes { raw in
            pread(descriptor, raw.baseAddress, route.templateLength, off_t(route.templateOffset))
        }
        guard count == route.templateLength else { return nil }
        return String(decoding: buffer, as: UTF8.self)
            .replacing("{generation}", with: String(generation))
            .replacing("{path}", with: path)
    }

    /// Closes the table's file; the table must not be used afterwards.
    func tearDown() -> Teardown {
        let first = !tornDown.exchange(true, ordering: .relaxed)
        if first { close(descriptor) }
        return Teardown(
            generation: generation,
            served: served,
            inFlight: inFlight,
            usesAfterTeardown: lateUses.load(ordering: .relaxed),
            wasFirstTeardown: first
        )
    }

    // MARK: Loading

    private static func readAll(_ descriptor: Int32, path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw LoadError.cannotRead(path: path, errno: errno)
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    private static func parse(_ bytes: [UInt8]) throws -> [String: Route] {
        var routes: [String: Route] = [:]
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            lineNumber += 1
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            defer { lineStart = lineEnd + 1 }
            var fields = FieldScanner(bytes: bytes, position: lineStart, end: lineEnd)
            guard let path = fields.next(), !path.hasPrefix("#") else { continue }
            guard path.hasPrefix("/"), let delay = fields.next().flatMap({ Int($0) }), delay >= 0,
                let templateStart = fields.restStart()
            else {
                throw LoadError.badLine(
                    number: lineNumber,
                    text: String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
                )
            }
            routes[path] = Route(
                delayMilliseconds: delay,
                templateOffset: templateStart,
                templateLength: lineEnd - templateStart
            )
        }
        return routes
    }

    /// Splits a line into whitespace-separated fields, and finds where the rest of the line starts.
    private struct FieldScanner {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        mutating func skipBlanks() {
            while position < end, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") {
                position += 1
            }
        }

        mutating func next() -> String? {
            skipBlanks()
            let start = position
            while position < end, bytes[position] != UInt8(ascii: " "), bytes[position] != UInt8(ascii: "\t") {
                position += 1
            }
            return start < position ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
        }

        mutating func restStart() -> Int? {
            skipBlanks()
            return position < end ? position : nil
        }
    }
}
