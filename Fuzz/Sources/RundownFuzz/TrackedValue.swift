// SPDX-License-Identifier: Apache-2.0

/// A numbered value for a ``RundownProtected`` that counts its live instances, so that the fuzzer can check that
/// every value is handed out, torn down or released exactly once and none leaks.
final class TrackedValue: Sendable {
    /// The value's number.
    let id: Int
    private let live: Counter

    /// A new value numbered `id`, counted in `live` until it is deinitialized.
    init(_ id: Int, live: Counter) {
        self.id = id
        self.live = live
        live.add()
    }

    deinit {
        live.add(-1)
    }
}
