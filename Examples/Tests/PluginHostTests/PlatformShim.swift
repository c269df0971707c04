// SPDX-License-Identifier: Apache-2.0
// This target's one door to the C library: re-exported to the whole target, so that no other file imports Glibc,
// Musl or Darwin itself (`Scripts/check-portability.sh` checks).
#if canImport(Glibc)
@_exported import Glibc

/// Whether `dlclose` unmaps a library nothing else holds (glibc's does).
let dlcloseUnmapsLibraries = true
#elseif canImport(Musl)
@_exported import Musl

/// Whether `dlclose` unmaps a library nothing else holds: musl never unloads libraries, so the unprotected control
/// cannot crash there, and the host's "still mapped" check does not apply.
let dlcloseUnmapsLibraries = false
#elseif canImport(Darwin)
@_exported import Darwin

/// Whether `dlclose` unmaps a library nothing else holds (dyld does, for a plain C library like the plugins).
let dlcloseUnmapsLibraries = true
#else
#error("the plugin host test supports Linux (glibc or musl) and Apple platforms; add a branch to PlatformShim.swift")
#endif
