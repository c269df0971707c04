#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The portability rule: a file that imports the C library (Glibc, Musl, Darwin, in any spelling: `@_exported import`,
# `internal import`, `import struct Glibc.timespec`, `import Darwin.C`) is its target's platform shim, a file named
# PlatformShim.swift, and every other file reaches the platform through it. That keeps the platform branches in one
# place per target, where `Scripts/check-apple-platforms.sh` compiles the Darwin ones for macOS and iOS and the
# Linux builds compile the Glibc ones. The library's shim must not re-export the C library (`@_exported import`): that
# would put it into every client's namespace.
#
# What this rule and that compile cannot catch between them:
# - musl: nothing here compiles for it (the static Linux SDK is not installed); its branches are read, not built.
# - A Darwin branch that is right for macOS and iOS but not for watchOS (arm64_32, 32-bit `Int`), tvOS or visionOS,
#   or for arm64: the Apple check compiles x86_64 macOS and the iOS simulator only.
# - The C sources (CRundownSupport.c, the Examples' plugins): they are compiled for Linux only; their Apple branches
#   are read, not built.
# - Behaviour: a call that compiles against the right declaration but means something else on a platform (clocks,
#   name lengths, dlclose) is for tests on that platform, which CI does not have.
#
# Usage: Scripts/check-portability.sh [REPO_ROOT]   (checks the Swift files git knows, tracked or not ignored)
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"
violations=$(
    git ls-files --cached --others --exclude-standard -- '*.swift' \
        | grep -v '/PlatformShim\.swift$' \
        | grep -v '^Scripts/AppleStandIn/' \
        | while read -r file; do if [ -f "$file" ]; then printf '%s\n' "$file"; fi; done \
        | xargs -r grep -nE '^[[:space:]]*(@[A-Za-z_]+(\([^)]*\))?[[:space:]]+)*((public|package|internal|fileprivate|private)[[:space:]]+)?import[[:space:]]+((struct|class|enum|protocol|typealias|func|var|let)[[:space:]]+)?(Glibc|Musl|Darwin|SwiftGlibc)([.[:space:]]|$)' \
        || true
)
if [ -n "$violations" ]; then
    echo "$violations"
    echo "check-portability: the C library is imported outside a PlatformShim.swift (see this script's header)" >&2
    exit 1
fi
reexports=$(grep -rnE '@_exported[[:space:]]+import[[:space:]]+(Glibc|Musl|Darwin)' Sources/Rundown || true)
if [ -n "$reexports" ]; then
    echo "$reexports"
    echo "check-portability: the library re-exports the C library to its clients" >&2
    exit 1
fi
echo "check-portability: OK (no import of Glibc, Musl or Darwin outside a platform shim)"
