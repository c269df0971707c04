// SPDX-License-Identifier: Apache-2.0
import Rundown
import Synchronization

/// Where callers find the current plugin, and how the swapper replaces it.
protocol PluginSlot: Sendable {
    /// Runs `body` with the current plugin; `nil` once the slot is retired.
    func withCurrent<Result>(_ body: (LoadedPlugin) -> Result) -> Result?
    /// Runs the asynchronous `body` with the current plugin, across its suspensions; `nil` once the slot is retired.
    func holdingCurrent<Result: Sendable>(_ body: (LoadedPlugin) async -> Result) async -> Result?
    /// Publishes `plugin` and returns the one it replaced, once that may be unloaded.
    func replace(with plugin: LoadedPlugin) async -> LoadedPlugin
    /// Takes the last plugin out for good, once it may be unloaded.
    func retire() async -> LoadedPlugin?
}

/// The slot as it must be: a `RundownProtected<LoadedPlugin>`. A call holds protection of the plugin it uses, and
/// `replace(with:)` returns the old plugin only after its last call has returned, so it can be unloaded safely.
struct ProtectedPluginSlot: PluginSlot {
    let plugins: RundownProtected<LoadedPlugin>

    init(_ first: LoadedPlugin) {
        plugins = RundownProtected(first)
    }

    func withCurrent<Result>(_ body: (LoadedPlugin) -> Result) -> Result? {
        plugins.withValueIfAvailable { body($0) }
    }

    func holdingCurrent<Result: Sendable>(_ body: (LoadedPlugin) async -> Result) async -> Result? {
        await plugins.withValueIfAvailable { await body($0) }
    }

    func replace(with plugin: LoadedPlugin) async -> LoadedPlugin {
        do {
            return try await plugins.replace(with: plugin)
        } catch {
            fatalError("the plugin slot was retired while the swapper still replaces plugins: \(error)")
        }
    }

    func retire() async -> LoadedPlugin? {
        try? await plugins.retire()
    }
}

/// The control (`--unprotected`): the same slot without run-down protection. `replace(with:)` hands the old plugin
/// back at once, while calls may still be running its code or about to start it; unloading it then unmaps code
/// under them, and the process dies (SIGSEGV, or SIGBUS).
final class UnprotectedPluginSlot: PluginSlot {
    private let current: Mutex<LoadedPlugin?>

    init(_ first: LoadedPlugin) {
        current = Mutex(first)
    }

    func withCurrent<Result>(_ body: (LoadedPlugin) -> Result) -> Result? {
        current.withLock { $0 }.map(body)
    }

    func holdingCurrent<Result: Sendable>(_ body: (LoadedPlugin) async -> Result) async -> Result? {
        guard let plugin = current.withLock({ $0 }) else { return nil }
        return await body(plugin)
    }

    func replace(with plugin: LoadedPlugin) async -> LoadedPlugin {
        guard let old = current.withLock({ $0.replace(plugin) }) else {
            fatalError("the plugin slot was retired while the swapper still replaces plugins")
        }
        return old
    }

    func retire() async -> LoadedPlugin? {
        current.withLock { $0.take() }
    }
}

extension Optional {
    /// Stores `newValue` and returns what was there.
    fileprivate mutating func replace(_ newValue: Wrapped) -> Wrapped? {
        let old = self
        self = newValue
        return old
    }
}
