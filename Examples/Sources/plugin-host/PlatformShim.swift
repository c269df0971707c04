// SPDX-License-Identifier: Apache-2.0
// This target's one door to the C library: re-exported to the whole target, so that no other file imports Glibc,
// Musl or Darwin itself (`Scripts/check-portability.sh` checks). It also holds the one call whose types differ.
#if canImport(Glibc)
@_exported import Glibc

/// Whether `dlclose` unmaps a library that nothing else holds (glibc's does).
let dlcloseUnmapsLibraries = true

/// The file extension of a shared library.
let sharedLibraryExtension = "so"

/// Turns core dumps off for this process (the control run is meant to crash).
func disableCoreDumps() {
    var limit = rlimit(rlim_cur: 0, rlim_max: 0)
    setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
}
#elseif canImport(Musl)
@_exported import Musl

/// Whether `dlclose` unmaps a library that nothing else holds: musl's never does (a library stays mapped until the
/// process exits), so the host cannot check that an unload really unmapped the code. A statically linked musl binary
/// cannot `dlopen` at all: build the host dynamically there.
let dlcloseUnmapsLibraries = false

/// The file extension of a shared library.
let sharedLibraryExtension = "so"

/// Turns core dumps off for this process (the control run is meant to crash).
func disableCoreDumps() {
    var limit = rlimit(rlim_cur: 0, rlim_max: 0)
    setrlimit(RLIMIT_CORE, &limit)
}
#elseif canImport(Darwin)
@_exported import Darwin

/// Whether `dlclose` unmaps a library that nothing else holds (dyld's does, for a plain C library like the plugins).
let dlcloseUnmapsLibraries = true

/// The file extension of a shared library.
let sharedLibraryExtension = "dylib"

/// Turns core dumps off for this process (the control run is meant to crash).
func disableCoreDumps() {
    var limit = rlimit(rlim_cur: 0, rlim_max: 0)
    setrlimit(RLIMIT_CORE, &limit)
}
#else
#error("the plugin host supports Linux (glibc or musl) and Apple platforms; add a branch to PlatformShim.swift")
#endif
