// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// One loaded copy of a plugin library: its `dlopen` handle, the two functions the host calls, and the host's own
/// accounting of the calls into this copy.
///
/// `@unchecked Sendable`: the handle and the function pointers are raw pointers into the library's mapping, set once
/// in `init` and never changed; they are valid until ``unload()``. What keeps every call away from an unloaded
/// library is the slot that publishes the plugin (run-down protection in ``ProtectedPluginSlot``): no call starts
/// after the unload or runs across it. The counters are atomics.
final class LoadedPlugin: @unchecked Sendable {
    /// What an unload found.
    struct Unload: Sendable {
        let generation: Int
        let identity: UInt64
        /// Calls the host started on this copy.
        let callsStarted: Int
        /// Calls the library itself says it answered, read just before `dlclose`: equal to ``callsStarted`` when no
        /// call was still inside.
        let callsAnswered: Int
        /// Calls that started after the unload had begun (must be 0; with protection off, the process dies first).
        let callsAfterUnload: Int
        /// Whether this was the first unload of this copy (must be true).
        let wasFirstUnload: Bool
        /// Whether the library was still mapped after `dlclose` (`dlopen` with `RTLD_NOLOAD` still found it).
        let stillMapped: Bool
    }

    enum LoadError: Error, CustomStringConvertible {
        case cannotLoad(path: String, reason: String)
        case missingSymbol(path: String, symbol: String)

        var description: String {
            switch self {
            case .cannotLoad(let path, let reason): "cannot load \(path): \(reason)"
            case .missingSymbol(let path, let symbol): "\(path) does not export \(symbol)"
            }
        }
    }

    typealias AnswerFunction = @convention(c) (UInt64, UInt64) -> UInt64
    typealias CountFunction = @convention(c) () -> UInt64

    let path: String
    let generation: Int
    /// The plugin's identity (1 alpha, 2 beta): the top byte of its answers.
    let identity: UInt64
    private let handle: UnsafeMutableRawPointer
    private let answer: AnswerFunction
    private let callsAnswered: CountFunction
    private let callsStarted = Atomic<Int>(0)
    private let callsAfterUnload = Atomic<Int>(0)
    private let unloaded = Atomic<Bool>(false)

    /// Loads the library at `path` (`RTLD_NOW | RTLD_LOCAL`) and looks its functions up.
    init(path: String, generation: Int) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw LoadError.cannotLoad(path: path, reason: dlerror().map { String(cString: $0) } ?? "unknown")
        }
        func symbol<Function>(_ name: String, as type: Function.Type) throws -> Function {
            guard let address = dlsym(handle, name) else {
                dlclose(handle)
                throw LoadError.missingSymbol(path: path, symbol: name)
            }
            return unsafeBitCast(address, to: type)
        }
        let identify = try symbol("rundown_plugin_identity", as: CountFunction.self)
        answer = try symbol("rundown_plugin_answer", as: AnswerFunction.self)
        callsAnswered = try symbol("rundown_plugin_calls_answered", as: CountFunction.self)
        identity = identify()
        self.handle = handle
        self.path = path
        self.generation = generation
    }

    /// The answer this plugin must give to `request`.
    func expectedAnswer(to request: UInt64) -> UInt64 {
        identity << 56 | (request & 0x00FF_FFFF_FFFF_FFFF)
    }

    /// Calls into the library: it spins `work` rounds in its own code, then answers.
    func call(_ request: UInt64, work: UInt64) -> UInt64 {
        callsStarted.add(1, ordering: .relaxed)
        if unloaded.load(ordering: .relaxed) { callsAfterUnload.add(1, ordering: .relaxed) }
        return answer(request, work)
    }

    /// Unloads the library (`dlclose`); the plugin must not be called afterwards.
    func unload() -> Unload {
        let first = !unloaded.exchange(true, ordering: .relaxed)
        let answered = Int(callsAnswered())
        var stillMapped = false
        if first {
            dlclose(handle)
            // A library that really went away cannot be found without loading it again.
            if let again = dlopen(path, RTLD_NOW | RTLD_NOLOAD) {
                stillMapped = true
                dlclose(again)
            }
        }
        return Unload(
            generation: generation,
            identity: identity,
            callsStarted: callsStarted.load(ordering: .relaxed),
            callsAnswered: answered,
            callsAfterUnload: callsAfterUnload.load(ordering: .relaxed),
            wasFirstUnload: first,
            stillMapped: stillMapped
        )
    }
}
