// SPDX-License-Identifier: Apache-2.0

/// How a recorded holder acquired protection, which says how its release finds its record.
@usableFromInline
enum HolderKind: UInt8, Sendable, Equatable {
    /// A guard or a closure scope: its release names its record (the ``HolderToken``).
    case scoped
    /// A closure scope that a run-down may cancel (`withCancellableProtection`); released as ``scoped``.
    case cancellable
    /// The unguarded pair, whose release cannot say which acquisition it ends: it forgets the newest unguarded
    /// record of its size, never a scoped one.
    case unguarded
}
