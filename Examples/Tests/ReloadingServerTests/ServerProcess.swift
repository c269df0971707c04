// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization

/// The real `reloading-server` binary, started as a child process on loopback with ephemeral ports.
final class ServerProcess: Sendable {
    let process: Process
    let publicPort: Int
    let adminPort: Int
    private let output: OutputCollector

    /// Where the binary is: `$RELOADING_SERVER_BINARY`, or next to the test bundle (SwiftPM's products folder).
    static func binaryPath() -> String {
        if let path = ProcessInfo.processInfo.environment["RELOADING_SERVER_BINARY"] { return path }
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for folder in candidates {
            let path = folder.appendingPathComponent("reloading-server").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return candidates[0].appendingPathComponent("reloading-server").path
    }

    /// Starts the server and waits until both listeners have announced their ports.
    init(configPath: String, logPath: String?, extraArguments: [String] = []) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binaryPath())
        process.arguments =
            ["--config", configPath, "--host", "127.0.0.1", "--port", "0", "--admin-port", "0"] + extraArguments
        let pipe = Pipe()
        process.standardOutput = pipe
        let output = OutputCollector(logPath: logPath)
        pipe.fileHandleForReading.readabilityHandler = { handle in
            output.append(handle.availableData)
        }
        try process.run()
        self.process = process
        self.output = output

        let deadline = ContinuousClock.now + .seconds(60)
        var ports: (public: Int, admin: Int)?
        while ports == nil {
            if ContinuousClock.now > deadline || !process.isRunning {
                process.terminate()
                throw ServerError.didNotStart(output.text)
            }
            try await Task.sleep(for: .milliseconds(20))
            ports = output.announcedPorts
        }
        publicPort = ports!.public
        adminPort = ports!.admin
    }

    var pid: pid_t { process.processIdentifier }

    /// Everything the server printed so far.
    var log: String { output.text }

    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit; returns its exit status, or `nil` if it did not exit in time (it is killed
    /// then).
    func waitForExit(timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.interrupt()
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Let the pipe drain the last lines.
        try await Task.sleep(for: .milliseconds(100))
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    enum ServerError: Error, CustomStringConvertible {
        case didNotStart(String)
        var description: String {
            switch self {
            case .didNotStart(let log): "the server did not announce its ports; it printed:\n\(log)"
            }
        }
    }
}

/// Collects the server's standard output, optionally copying it to a file.
private final class OutputCollector: Sendable {
    private let storage = Mutex<[UInt8]>([])
    private let file: Mutex<FileHandle?>

    init(logPath: String?) {
        if let logPath, FileManager.default.createFile(atPath: logPath, contents: nil) {
            file = Mutex(FileHandle(forWritingAtPath: logPath))
        } else {
            file = Mutex(nil)
        }
    }

    func append(_ data: Data) {
        storage.withLock { $0 += data }
        file.withLock { $0?.write(data) }
    }

    var text: String { storage.withLock { String(decoding: $0, as: UTF8.self) } }

    var announcedPorts: (public: Int, admin: Int)? {
        let text = self.text
        guard let publicPort = Self.port(in: text, label: "listening public="),
            let adminPort = Self.port(in: text, label: "listening admin=")
        else { return nil }
        return (publicPort, adminPort)
    }

    private static func port(in text: String, label: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(label) {
            if let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...]) {
                return port
            }
        }
        return nil
    }
}

/// Nanoseconds on `CLOCK_MONOTONIC`, the clock the server stamps its generations with.
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
