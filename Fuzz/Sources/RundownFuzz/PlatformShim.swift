// SPDX-License-Identifier: Apache-2.0
// The fuzz target's one door to the C library: this file re-exports it to the whole target, so that no other file
// imports Glibc, Musl or Darwin itself (`Scripts/check-portability.sh` checks).

#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#else
#error("the fuzz target supports Linux (glibc or musl) and Apple platforms; add a branch to PlatformShim.swift")
#endif

/// The value of the environment variable `name`, if it is set.
func environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

/// Writes `line` and a newline to standard error, unbuffered, so that it is out before a trap ends the process.
func writeToStandardError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { bytes in
        var rest = UnsafeRawBufferPointer(bytes)
        while !rest.isEmpty {
            let written = write(2, rest.baseAddress, rest.count)
            guard written > 0 else { return }
            rest = UnsafeRawBufferPointer(rebasing: rest[written...])
        }
    }
}
