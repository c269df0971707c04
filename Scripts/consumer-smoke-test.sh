#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The consumer smoke test: builds and runs the README's quick-start code the way a user of the
# package would, against the public API only.
#
# It creates a throwaway package in a temporary folder that depends on this checkout by path
# (`.package(name: "swift-rundown", path: ...)`, product `Rundown`), in the Swift 6 language mode, with
# `-warnings-as-errors -require-explicit-sendable` on its executable target, and the package's platforms. Its
# sources are:
#   README.swift   every ```swift block of README.md that is directly preceded (blank lines aside) by the line
#                  `<!-- consumer-smoke-test -->`, in order, with `import Rundown` (never `@testable`, never
#                  `@_spi`);
#   Prelude.swift  stubs of the types the README leaves undefined (Request, Response, Plugin for the quick start;
#                  Socket, SocketError for the embedding example), each only if the marked blocks use it and do
#                  not declare it themselves;
#   main.swift     the driver: builds the quick start's `PluginHost`, handles requests (also from concurrent
#                  tasks), unloads it, checks that a request after the unload throws
#                  `RundownError.rundownInProgress`, and prints `consumer smoke test: OK`. It calls nothing of any
#                  other marked block (such as the embedding example): those only have to compile.
# Then `swift build`, then the built executable; the test fails unless the build succeeds with no warning and the
# program prints the OK line. The marked blocks must include the quick start (the one that defines `PluginHost`).
#
# Usage: Scripts/consumer-smoke-test.sh [REPO_ROOT]
#   REPO_ROOT (also the REPO_ROOT environment variable) is the checkout to test; default: this script's repository.
#   KEEP=1 keeps the temporary folder (its path is printed) instead of removing it on exit.
set -euo pipefail

command -v swift >/dev/null 2>&1 || { [ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"; }

case "${1:-}" in
    -h | --help)
        sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
        exit 0
        ;;
esac
repo="${1:-${REPO_ROOT:-$(dirname "${BASH_SOURCE[0]}")/..}}"
repo="$(cd "$repo" && pwd)"
readme="$repo/README.md"
say() { printf 'consumer-smoke-test: %s\n' "$*"; }
fail() {
    printf 'consumer-smoke-test: FAILED: %s\n' "$*" >&2
    exit 1
}
[ -f "$repo/Package.swift" ] || fail "$repo has no Package.swift"
[ -f "$readme" ] || fail "$repo has no README.md"

work="$(mktemp -d "${TMPDIR:-/tmp}/rundown-consumer.XXXXXX")"
cleanup() {
    if [ "${KEEP:-0}" = 1 ]; then
        say "kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

package="$work/consumer"
sources="$package/Sources/RundownConsumer"
mkdir -p "$sources"

# --- README.swift: the marked blocks -------------------------------------------------------------------------------
# awk prints the blocks, each after a `// README.md:LINE` comment, and reports problems on stderr with exit 3.
if ! awk '
    function problem(message) { printf "README.md:%d: %s\n", NR, message > "/dev/stderr"; failed = 1; exit 3 }
    inblock {
        if ($0 ~ /^[ \t]*```+[ \t]*$/) { inblock = 0; next }
        print
        next
    }
    /^[ \t]*<!--[ \t]*consumer-smoke-test[ \t]*-->[ \t]*$/ {
        if (marked) problem("a second marker before the swift block of the one on line " marked)
        marked = NR
        next
    }
    marked && /^[ \t]*$/ { next }
    marked {
        if ($0 !~ /^[ \t]*```+[ \t]*swift([ \t].*)?$/)
            problem("the consumer-smoke-test marker on line " marked " is not followed by a ```swift block")
        if (blocks) print ""
        printf "// README.md:%d\n", NR + 1
        inblock = 1
        marked = 0
        blocks++
        next
    }
    END {
        if (failed) exit 3
        if (inblock) { printf "README.md: the swift block that starts before line %d is not closed\n", NR > "/dev/stderr"; exit 3 }
        if (marked) { printf "README.md:%d: the consumer-smoke-test marker is not followed by a ```swift block\n", marked > "/dev/stderr"; exit 3 }
    }
' "$readme" >"$work/blocks.swift"; then
    fail "README.md's marked blocks cannot be extracted (see above)"
fi
blocks="$(grep -c '^// README\.md:[0-9]*$' "$work/blocks.swift" || true)"
if [ "$blocks" = 0 ]; then
    fail "README.md has no \`\`\`swift block marked for this test. Put the line '<!-- consumer-smoke-test -->' directly above the quick-start code block (the one that defines PluginHost), and above any other block that must compile against the public API."
fi
grep -qE '^[[:space:]]*((public|internal|package)[[:space:]]+)?(final[[:space:]]+)?class[[:space:]]+PluginHost\b' "$work/blocks.swift" ||
    fail "none of README.md's $blocks marked block(s) defines PluginHost: mark the quick-start block, which the driver runs"
if grep -qE '^[[:space:]]*@(testable|_spi)' "$work/blocks.swift"; then
    fail "a marked README block uses @testable or @_spi: the smoke test compiles against the public API only"
fi
{
    echo "// Generated by Scripts/consumer-smoke-test.sh from $readme: the blocks marked <!-- consumer-smoke-test -->."
    grep -qxE '[[:space:]]*import Rundown[[:space:]]*' "$work/blocks.swift" || echo 'import Rundown'
    cat "$work/blocks.swift"
} >"$sources/README.swift"
say "$blocks marked block(s) from README.md, starting at lines $(sed -n 's/^\/\/ README\.md:\([0-9]*\)$/\1/p' "$work/blocks.swift" | paste -sd, - | sed 's/,/, /g')"

# --- Prelude.swift: stubs for what the README leaves undefined ----------------------------------------------------
uses() { grep -v '^//' "$work/blocks.swift" | grep -qE "\\b$1\\b"; }
declares() { grep -qE "\\b(struct|class|enum|actor|protocol|typealias)[[:space:]]+$1\\b" "$work/blocks.swift"; }
stubbed=()
{
    echo "// Generated by Scripts/consumer-smoke-test.sh: stubs of the types README.md's examples use but do not define."
    stub() {
        local name="$1" text="$2"
        if uses "$name" && ! declares "$name"; then
            printf '\n%s\n' "$text"
            stubbed+=("$name")
        fi
    }
    stub Request 'struct Request: Sendable {}'
    stub Response 'struct Response: Sendable {}'
    stub Plugin 'final class Plugin: Sendable {
    func handle(_ request: Request) -> Response { Response() }
    func unload() {}
}'
    stub Socket 'final class Socket: Sendable {
    func write(_ bytes: [UInt8]) {}
    func checkedWrite(_ bytes: [UInt8]) throws(SocketError) -> Int { bytes.count }
    func close() {}
}'
    stub SocketError 'enum SocketError: Error {
    case closed
}'
} >"$sources/Prelude.swift" # a { } group runs in this shell, so `stubbed` is set below
say "stubs in Prelude.swift: ${stubbed[*]:-(none)}"

# --- main.swift: the driver ---------------------------------------------------------------------------------------
cat >"$sources/main.swift" <<'SWIFT'
// Generated by Scripts/consumer-smoke-test.sh: runs the README's quick start (PluginHost) through the public API.
import Rundown

func runQuickStart() async throws {
    let host = PluginHost(plugin: Plugin())

    // Before the unload: a request runs, and so do many at once.
    _ = try host.handle(Request())
    let handled = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<8 {
            group.addTask {
                for _ in 0..<1_000 { _ = try host.handle(Request()) }
                return 1_000
            }
        }
        return try await group.reduce(0, +)
    }
    precondition(handled == 8_000, "expected 8000 requests handled before the unload, got \(handled)")

    // The unload waits for the requests in flight (none by now), then unloads; from then on every request is
    // refused.
    await host.unload()
    do {
        _ = try host.handle(Request())
        fatalError("a request after unload() was handled; expected RundownError.rundownInProgress")
    } catch RundownError.rundownInProgress {
        // Refused, as documented.
    } catch {
        fatalError("a request after unload() threw \(error); expected RundownError.rundownInProgress")
    }
}

try await runQuickStart()
print("consumer smoke test: OK")
SWIFT

# --- Package.swift ------------------------------------------------------------------------------------------------
escaped_repo="$(printf '%s' "$repo" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
cat >"$package/Package.swift" <<SWIFT
// swift-tools-version: 6.2
// Generated by Scripts/consumer-smoke-test.sh: a package that uses swift-rundown the way its users do.
import PackageDescription

let package = Package(
    name: "RundownConsumer",
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2)],
    dependencies: [
        .package(name: "swift-rundown", path: "$escaped_repo")
    ],
    targets: [
        .executableTarget(
            name: "RundownConsumer",
            dependencies: [.product(name: "Rundown", package: "swift-rundown")],
            swiftSettings: [.unsafeFlags(["-warnings-as-errors", "-require-explicit-sendable"])]
        )
    ],
    swiftLanguageModes: [.v6]
)
SWIFT

# --- Build and run --------------------------------------------------------------------------------------------------
scratch="$work/.build"
say "building $package against $repo"
if ! swift build --package-path "$package" --scratch-path "$scratch" 2>&1 | tee "$work/build.log"; then
    say "generated README.swift:" >&2
    cat -n "$sources/README.swift" >&2
    fail "the consumer package does not build (rerun with KEEP=1 to keep the generated package)"
fi
binary="$(swift build --package-path "$package" --scratch-path "$scratch" --show-bin-path)/RundownConsumer"
say "running $binary"
status=0
"$binary" 2>&1 | tee "$work/run.log" || status=$?
grep -qx 'consumer smoke test: OK' "$work/run.log" ||
    fail "the consumer program did not print 'consumer smoke test: OK' (exit status $status)"
[ "$status" = 0 ] || fail "the consumer program exited with status $status"

# --- Nothing extra fetched ------------------------------------------------------------------------------------------
# The traits (ServiceLifecycleSupport, MetricsSupport) are off: their dependencies must not be fetched at all.
fetched="$(find "$scratch/checkouts" -mindepth 1 -maxdepth 1 2>/dev/null | sed 's|.*/||' | sort | tr '\n' ' ')"
[ -z "$fetched" ] || fail "a consumer without the traits fetched packages: $fetched"
dependencies="$(swift package --package-path "$package" --scratch-path "$scratch" show-dependencies --format flatlist)"
[ "$(printf '%s\n' "$dependencies" | grep -cv '^$')" = 1 ] ||
    fail "a consumer without the traits depends on more than swift-rundown: $dependencies"
say "nothing fetched but swift-rundown ($dependencies)"
say "passed"
