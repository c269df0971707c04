@_spi(Testing) import Rundown

/// The run-down types the contract suite runs against; every contract test is parameterized over these.
enum RundownFlavor: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    /// ``RundownRef``.
    case plain
    /// ``CacheAwareRundownRef`` with its default slot count (one per CPU).
    case cacheAware

    func make() -> any RundownProtection {
        switch self {
        case .plain: RundownRef()
        case .cacheAware: CacheAwareRundownRef()
        }
    }

    var description: String { rawValue }
}

/// Whether the opt-in long stress variants run (`RUNDOWN_LONG_TESTS=1`).
let longTestsEnabled = environmentValue("RUNDOWN_LONG_TESTS") == "1"

/// `quick` iterations normally, `long` with `RUNDOWN_LONG_TESTS=1`.
func iterations(quick: Int, long: Int) -> Int {
    longTestsEnabled ? long : quick
}

/// The state as a Copyable value, for `#expect`.
func holders(_ rundown: some RundownProtection) -> RundownState {
    rundown.state
}
