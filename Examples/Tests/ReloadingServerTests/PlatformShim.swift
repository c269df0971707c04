// SPDX-License-Identifier: Apache-2.0
// This target's one door to the C library: re-exported to the whole target, so that no other file imports Glibc,
// Musl or Darwin itself (`Scripts/check-portability.sh` checks).
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#else
#error("the end-to-end test supports Linux (glibc or musl) and Apple platforms; add a branch to PlatformShim.swift")
#endif
