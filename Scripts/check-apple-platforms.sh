#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Compiles the package for Apple platforms without an Apple SDK, with the Swift toolchain alone, to catch what
# `swift build` on Linux cannot: uses of APIs newer than the package's deployment targets (macOS 15, iOS 18),
# Darwin-only signatures in the `canImport(Darwin)` branches, region-isolation errors that only Darwin's types cause,
# and Swift Testing API that iOS lacks (exit tests).
#
# What it does, for x86_64 macOS and the x86_64 iOS simulator at the manifest's deployment targets (read with
# `swift package dump-package`; now x86_64-apple-macos15.0 and x86_64-apple-ios18.0-simulator; x86_64 because the
# interfaces are those of x86_64 Linux: rebuilt for arm64-apple-macos15, Swift's fails on its Float80 code, "cannot find
# '_stdlib_remainderl' in scope", "cannot find '_stdlib_squareRootl' in scope"):
#
#   1. Rebuilds, once per toolchain (cached under .build-apple/<triple>/<key>/, the key a hash of the toolchain's
#      version, of the interface files and of the rewriting code below), the toolchain's textual interfaces
#      Swift, SwiftOnoneSupport, _Concurrency, _StringProcessing, Synchronization and Testing from
#      <toolchain>/usr/lib/swift/linux/*.swiftmodule/*.swiftinterface (the .private one where there is one, as the
#      compiler itself prefers), with `swift-frontend -compile-module-from-interface`, for the Apple triple. Their
#      C dependencies (SwiftShims, _SwiftConcurrencyShims, _SynchronizationShims) are the toolchain's own shims
#      (<toolchain>/usr/lib/swift/shims), which need no system header for an Apple target. What is rewritten in each
#      interface, and why (see patch_interface below):
#        - every interface: `-target` in its swift-module-flags line becomes the Apple triple;
#          `-target-min-inlining-version min` becomes `target` (otherwise inlinable code is checked against the
#          lowest deployment target, and _Concurrency's fails: "'Failure' is only available in macOS 15.0 or
#          newer; clients of '_Concurrency' may have a lower deployment target"). With that, every module builds at
#          the checked triple's own deployment target (macOS 15, iOS 18); a later one is not needed;
#          `-disable-objc-interop` is dropped (Apple's modules are built with Objective-C interop, as every client
#          on an Apple platform is); every `@backDeployed(before: ...)` attribute is removed (the Linux interface
#          has no function bodies for them, which @backDeployed requires; the declaration keeps its @available,
#          so clients see the same availability).
#        - Swift: a declaration of `AutoreleasingUnsafeMutablePointer` is added. The Linux stdlib has none (it is
#          Objective-C-only), and with Objective-C interop on the compiler looks it up for every `&value` passed as
#          a pointer argument ("broken standard library: cannot find intrinsic operations on
#          UnsafeMutablePointer<T>" otherwise).
#        - Synchronization: `import Glibc` is removed, and the three calls of the Linux shim
#          `_swift_stdlib_gettid()` (the futex-based Mutex handle's thread id, declared only `#if defined(__linux__)`
#          in _SynchronizationShims.h) become a constant: they sit in transparent bodies that clients inline. Darwin's
#          Mutex handle is an os_unfair_lock instead; its public API, which is all a client type-checks against, is
#          the same.
#        - Testing, for iOS (and any platform but macOS): swift-testing builds with SWT_NO_EXIT_TESTS and
#          SWT_NO_PROCESS_SPAWNING on iOS, tvOS, watchOS and visionOS (its Package.swift), which marks `ExitTest`,
#          its extensions (`Condition`, `Result`, ...), `ExitStatus` and the `#expect/#require(processExitsWith:)`
#          macros `@available(*, unavailable, message: "Exit tests are not available on this platform.")` and
#          compiles out `ExitTest.current`, `ExitTest.__store` and the `__checkClosureCall(...processExitsWith:...)`
#          overloads the macros expand to (swift-testing swift-6.3.1-RELEASE: Sources/Testing/ExitTests/*.swift,
#          Expectations/Expectation+Macro.swift, Expectations/ExpectationChecking+Macro.swift). The rewrite does
#          the same to the interface, so that exit tests fail to compile as they do against Xcode's iOS SDK.
#   2. Uses the stand-in SDK Scripts/AppleStandIn/SDK (clang modules `Darwin` and `ObjectiveC`: only what the
#      package's Darwin branches call, declared as Apple's headers declare it; see the headers) as -sdk, so that the
#      clang importer sees no host header at all: CRundownSupport's <stdint.h> and <stddef.h> are then clang's own
#      builtin headers (with no stdint.h in the sysroot, clang's stdint.h defines the types itself).
#   3. Compiles to SIL (`swift-frontend -emit-sil`, which runs the mandatory SIL passes: region-isolation errors only
#      show there, not with -typecheck), with the flags `swift build` passes in debug (taken from its build manifest:
#      -swift-version 6 -Onone -enable-testing -D SWIFT_PACKAGE -D DEBUG -D SWIFT_MODULE_RESOURCE_BUNDLE_UNAVAILABLE
#      -package-name <the checkout's folder name>, SwiftPM's module map for CRundownSupport, -parse-as-library;
#      -enable-cross-import-overlays for the tests), plus each target's Swift settings from the manifest as SwiftPM
#      applies them on that platform in a debug build (the language mode, `.define(...)` with its platform
#      condition, features; any other kind of setting stops the check rather than be ignored), without the
#      ServiceLifecycleSupport trait:
#        a. the library `Rundown` (Sources/Rundown/**/*.swift; RundownShutdownService.swift is all
#           `#if ServiceLifecycleSupport`, so it contributes nothing). Its .swiftmodule is emitted first, in a
#           separate step that skips non-inlinable function bodies (as SwiftPM's emit-module job does), so that the
#           tests are checked even where a function body of the library has an error;
#        b. the test target `RundownTests` (Tests/RundownTests/**/*.swift; ShutdownServiceTests.swift is all
#           `#if ServiceLifecycleSupport`) against that module and the rebuilt Testing, with the Testing macros
#           expanded by the toolchain's TestingMacros plugin (<toolchain>/usr/lib/swift/host/plugins).
#      Every error is printed as `path:line:col: error: message` (paths relative to the checked repository), then
#      a summary per triple and target. Warnings are printed too but not counted. Errors that merely follow from
#      another error are listed as counts and not counted (see report_diagnostics): errors inside the expansion of
#      a macro use that is itself an error, and the test-content-record errors the compiler adds once a SIL
#      diagnostic has failed. Note that the compiler stops before SIL when type checking fails, so a target with
#      a type error (as the tests on iOS with exit tests) is not checked for region-isolation errors until it has
#      none.
#
# Measured on the 2-core development machine (Swift 6.3.1), with another build running at times: a cold run (no
# .build-apple) takes 85 to 115 s for both triples, of which 27 to 44 s per triple rebuild the Swift module and
# about 4 s the other five; a warm run 21 to 33 s (the library's SIL 0.5 to 1.9 s, the tests' 7 to 17 s a triple).
#
# What it cannot reach:
#   - Objective-C interop specifics beyond what the compiler does by itself: the rebuilt stdlib lacks the
#     Objective-C bridging declarations of Apple's stdlib (only the AutoreleasingUnsafeMutablePointer declaration
#     is added), so code that bridges to Objective-C would fail here for that reason alone. The package has none.
#   - Declarations that differ between the Darwin and the Linux builds of the toolchain's modules: any `#if os(...)`
#     API of Swift, _Concurrency, Synchronization or Testing follows Linux here (e.g. the Mutex internals above).
#     The availability attributes are the same in both (they are written per Apple platform in the sources).
#   - Anything of the Darwin C library beyond the stand-in's declarations: a call to a Darwin function the
#     stand-in lacks fails here ("cannot find ... in scope"); check it against Apple's headers and add it there.
#   - The C sources: CRundownSupport.c and CRundownRseq.c are not compiled for Apple (their headers are parsed).
#   - Foundation and Dispatch: the library and tests import neither; Sources/rundown-demo imports Foundation and is
#     skipped. The trait-only code (ServiceLifecycleSupport) is not checked: its dependencies are not here.
#   - arm64 and arm64_32 (watchOS), tvOS, watchOS, visionOS and Mac Catalyst: the same method would work with their
#     triples (tvOS/watchOS/visionOS need the same Testing rewrite as iOS), but they are not run.
#   - Linking, code generation, and running anything.
#
# Usage: Scripts/check-apple-platforms.sh [--keep-going] [--root DIR] [--triple TRIPLE]... [--cache DIR]
#   --keep-going   check every target of every triple even after errors (by default it stops after the first
#                  target that has errors, once that target's errors are printed)
#   --root DIR     the checkout to check (default: this script's repository)
#   --triple T     check only this triple (repeatable); default: x86_64 macOS and the x86_64 iOS simulator at the
#                  manifest's deployment targets
#   --cache DIR    where the rebuilt modules and the outputs go (default: .build-apple in this script's repository)
# Environment: SWIFT_FRONTEND (default: swift-frontend on PATH, else /opt/swift/usr/bin/swift-frontend).
# Exit status: 0 if no target has an error, 1 if some target has errors, 2 if a step could not run (bad usage,
# missing toolchain, a manifest that does not load, a module that failed to rebuild).
# Each compile runs alone and under `nice`; every step prints how long it took.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
default_root="$(cd "$script_dir/.." && pwd)"
standin_sdk="$script_dir/AppleStandIn/SDK"

keep_going=0
root="$default_root"
cache=""
triples=()
while [ $# -gt 0 ]; do
    case "$1" in
        --keep-going) keep_going=1 ;;
        --root)
            [ $# -ge 2 ] || { echo "check-apple-platforms: --root needs a directory" >&2; exit 2; }
            root="$2"
            shift
            ;;
        --triple)
            [ $# -ge 2 ] || { echo "check-apple-platforms: --triple needs a triple" >&2; exit 2; }
            triples+=("$2")
            shift
            ;;
        --cache)
            [ $# -ge 2 ] || { echo "check-apple-platforms: --cache needs a directory" >&2; exit 2; }
            cache="$2"
            shift
            ;;
        -h | --help)
            sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "check-apple-platforms: unknown argument '$1' (try --help)" >&2
            exit 2
            ;;
    esac
    shift
done
root="$(cd "$root" && pwd)"
[ -n "$cache" ] || cache="$default_root/.build-apple"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

fail() {
    echo "check-apple-platforms: $*" >&2
    exit 2
}

frontend="${SWIFT_FRONTEND:-}"
if [ -z "$frontend" ]; then
    frontend="$(command -v swift-frontend || true)"
    [ -n "$frontend" ] || frontend=/opt/swift/usr/bin/swift-frontend
fi
[ -x "$frontend" ] || fail "no swift-frontend at '$frontend' (set SWIFT_FRONTEND)"
frontend="$(readlink -f "$frontend")"
toolchain_lib="$(cd "$(dirname "$frontend")/../lib/swift" && pwd)"
swift="$(dirname "$frontend")/swift"
[ -x "$swift" ] || fail "no swift driver next to $frontend"
linux_modules="$toolchain_lib/linux"
plugins="$toolchain_lib/host/plugins"
[ -d "$linux_modules" ] || fail "no Linux module interfaces in $linux_modules"
[ -e "$plugins/libTestingMacros.so" ] || fail "no TestingMacros plugin in $plugins"
[ -f "$standin_sdk/usr/include/module.modulemap" ] || fail "no stand-in SDK at $standin_sdk"
[ -d "$root/Sources/Rundown" ] || fail "$root has no Sources/Rundown"
command -v python3 >/dev/null || fail "python3 is needed (it rewrites the interfaces and filters diagnostics)"

# The modules rebuilt from the toolchain's interfaces, in dependency order.
interface_modules=(Swift SwiftOnoneSupport _Concurrency _StringProcessing Synchronization Testing)

# --- Timing and output -------------------------------------------------------------------------------------------

now_ns() { date +%s%N; }
seconds_since() { awk -v start="$1" -v end="$(now_ns)" 'BEGIN { printf "%.1f", (end - start) / 1e9 }'; }
timings=()
record_time() { timings+=("$(printf '%-32s %-44s %6s s' "$1" "$2" "$3")"); }

# Runs "$@" niced, its output into $log; prints the step's name and time. Returns the command's status.
run_logged() {
    local name="$1" log="$2"
    shift 2
    local start status=0
    start="$(now_ns)"
    nice -n 10 "$@" >"$log" 2>&1 || status=$?
    local took
    took="$(seconds_since "$start")"
    printf '    %-52s %6s s%s\n' "$name" "$took" "$([ $status -eq 0 ] || echo "  (exit status $status)")"
    record_time "$current_triple" "$name" "$took"
    return $status
}

# --- Rewriting the interfaces -------------------------------------------------------------------------------------

# Prints the rewritten interface of module $1 for triple $2 from file $3 to file $4, and a one-line account of what
# it changed to stderr. Fails (exit 1) when an expected pattern is not found exactly as often as expected: a new
# toolchain whose interfaces differ must be looked at, not silently half-rewritten.
patch_interface() {
    python3 - "$@" <<'PYTHON'
import re
import sys

module, triple, source, destination = sys.argv[1:5]
text = open(source, encoding="utf-8").read()
done = []


def die(message):
    sys.stderr.write("patch_interface %s: %s\n" % (module, message))
    sys.exit(1)


def replace(pattern, replacement, text, expected, what, flags=0):
    new, count = re.subn(pattern, replacement, text, flags=flags)
    if expected is not None and count != expected:
        die("%s: expected %d, found %d" % (what, expected, count))
    if count:
        done.append("%s (%d)" % (what, count))
    return new


# The flags line.
lines = text.split("\n")
flag_lines = [i for i, line in enumerate(lines) if line.startswith("// swift-module-flags:")]
if len(flag_lines) != 1:
    die("expected one swift-module-flags line, found %d" % len(flag_lines))
flags = lines[flag_lines[0]]
flags = replace(r" -target \S+", " -target " + triple, flags, 1, "target -> " + triple)
flags = replace(r" -target-min-inlining-version min\b", " -target-min-inlining-version target", flags, None,
                "min inlining version -> target")
flags = replace(r" -disable-objc-interop\b", "", flags, None, "-disable-objc-interop removed")
lines[flag_lines[0]] = flags
text = "\n".join(lines)

text = replace(r"@backDeployed\([^()]*\)", "", text, None, "@backDeployed removed")

if module == "Swift":
    if "AutoreleasingUnsafeMutablePointer" in text:
        die("the interface already declares AutoreleasingUnsafeMutablePointer")
    text += """
// Added by Scripts/check-apple-platforms.sh: the Objective-C-only pointer type that the compiler looks up for
// pointer argument conversions when Objective-C interop is on.
@frozen @unsafe public struct AutoreleasingUnsafeMutablePointer<Pointee> : Swift._Pointer {
  public let _rawValue: Builtin.RawPointer
  @_transparent public init(_ _rawValue: Builtin.RawPointer) {
    self._rawValue = _rawValue
  }
  public var pointee: Pointee {
    get
    nonmutating set
  }
}
@available(*, unavailable)
extension Swift.AutoreleasingUnsafeMutablePointer : Swift.Sendable {
}
"""
    done.append("AutoreleasingUnsafeMutablePointer added")

if module == "Synchronization":
    text = replace(r"^import Glibc\n", "", text, 1, "import Glibc removed", flags=re.M)
    text = replace(r"_swift_stdlib_gettid\(\)", "Swift.UInt32(1)", text, 3, "_swift_stdlib_gettid() -> constant")
    if re.search(r"\bGlibc\b|futex", text):
        die("a Glibc or futex reference is left")

if module == "Testing" and "-apple-macos" not in triple:
    unavailable = '@available(*, unavailable, message: "Exit tests are not available on this platform.")'
    lines = text.split("\n")
    out = []
    counts = {"marked": 0, "removed": 0, "macros": 0, "functions": 0}
    i = 0

    def attribute_only(line):
        # Whether `line` is one or more attributes and nothing else (`@discardableResult`,
        # `@available(swift, deprecated: 100000.0, message: "... '#expect(throws:)' ...")`).
        i = 0
        while i < len(line):
            if line[i] == " ":
                i += 1
                continue
            match = re.match(r"@[A-Za-z_][\w.]*", line[i:])
            if not match:
                return False
            i += match.end()
            if i < len(line) and line[i] == "(":
                depth, quoted = 0, False
                while i < len(line):
                    c = line[i]
                    if quoted:
                        if c == "\\":
                            i += 1
                        elif c == '"':
                            quoted = False
                    elif c == '"':
                        quoted = True
                    elif c == "(":
                        depth += 1
                    elif c == ")":
                        depth -= 1
                        if depth == 0:
                            i += 1
                            break
                    i += 1
                if depth != 0:
                    return False
        return line.startswith("@")

    def attributes_before(out):
        # The attribute lines (at column 0) that belong to the declaration about to be emitted.
        start = len(out)
        while start > 0 and attribute_only(out[start - 1]):
            start -= 1
        return start

    while i < len(lines):
        line = lines[i]
        if re.match(r"^(public struct ExitTest :|public enum ExitStatus :)", line):
            out.insert(attributes_before(out), unavailable)
            counts["marked"] += 1
            out.append(line)
        elif re.match(r"^extension Testing\.(ExitTest|ExitStatus)\b.*\{$", line):
            end = i
            while lines[end] != "}":
                end += 1
            body = "\n".join(lines[i:end + 1])
            if re.search(r"\bstatic var current\b|\b__store\b", body):
                # `#if !SWT_NO_EXIT_TESTS` in ExitTest.swift: not in the iOS build at all.
                del out[attributes_before(out):]
                counts["removed"] += 1
            else:
                out.insert(attributes_before(out), unavailable)
                counts["marked"] += 1
                out.extend(lines[i:end + 1])
            i = end
        elif re.match(r"^@freestanding\(expression\).* public macro (expect|require)\(processExitsWith\b", line):
            out.insert(attributes_before(out), unavailable)
            counts["macros"] += 1
            out.append(line)
        elif re.match(r"^public func __checkClosureCall.*\bprocessExitsWith\b", line):
            # `#if !SWT_NO_EXIT_TESTS` in ExpectationChecking+Macro.swift.
            del out[attributes_before(out):]
            counts["functions"] += 1
        else:
            out.append(line)
        i += 1
    expected = {"marked": 8, "removed": 2, "macros": 2, "functions": 2}
    if counts != expected:
        die("exit-test rewrite: expected %s, found %s" % (expected, counts))
    text = "\n".join(out)
    done.append("exit tests unavailable: %d declarations marked, %d extensions and %d functions removed, "
                "%d macros marked" % (counts["marked"], counts["removed"], counts["functions"], counts["macros"]))

open(destination, "w", encoding="utf-8").write(text)
sys.stderr.write("      %s: %s\n" % (module, "; ".join(done) if done else "retargeted only"))
PYTHON
}

interface_source() {
    local directory="$linux_modules/$1.swiftmodule"
    local private="$directory/x86_64-unknown-linux-gnu.private.swiftinterface"
    local public="$directory/x86_64-unknown-linux-gnu.swiftinterface"
    if [ -f "$private" ]; then echo "$private"; elif [ -f "$public" ]; then echo "$public"; else return 1; fi
}

# The cache key: the toolchain's version, the interfaces (path, size, modification time) and this rewriting code.
cache_key() {
    {
        "$frontend" -version 2>&1
        for module in "${interface_modules[@]}"; do
            stat -c '%n %s %Y' "$(interface_source "$module")"
        done
        declare -f patch_interface build_interfaces
        declare -p interface_modules
    } | sha256sum | cut -c1-16
}

# Rebuilds the interfaces for $current_triple into $modules (unless already there); sets $modules.
build_interfaces() {
    local key base
    key="$(cache_key)"
    base="$cache/$current_triple"
    modules="$base/$key/modules"
    if [ -f "$base/$key/complete" ]; then
        printf '    %-52s %6s\n' "toolchain modules (cached, key $key)" "-"
        return 0
    fi
    echo "    rebuilding the toolchain's modules for $current_triple (key $key)"
    rm -rf "$base"
    mkdir -p "$modules" "$base/$key/interfaces" "$base/$key/logs"
    local module source patched parse_stdlib
    for module in "${interface_modules[@]}"; do
        source="$(interface_source "$module")" || fail "no interface for $module in $linux_modules"
        patched="$base/$key/interfaces/$module.swiftinterface"
        patch_interface "$module" "$current_triple" "$source" "$patched" ||
            fail "rewriting the $module interface failed"
        parse_stdlib=()
        case "$module" in Swift | SwiftOnoneSupport | _Concurrency) parse_stdlib=(-parse-stdlib) ;; esac
        if ! run_logged "rebuild $module" "$base/$key/logs/$module.log" \
            "$frontend" -compile-module-from-interface -module-name "$module" "${parse_stdlib[@]}" "$patched" \
            -o "$modules/$module.swiftmodule" -sdk "$standin_sdk" -I "$modules" \
            -module-cache-path "$base/$key/module-cache"; then
            sed -n '1,40p' "$base/$key/logs/$module.log" >&2
            fail "rebuilding $module for $current_triple failed (log: $base/$key/logs/$module.log)"
        fi
    done
    touch "$base/$key/complete"
}

# --- Diagnostics --------------------------------------------------------------------------------------------------

# Prints the errors and warnings of compiler log $1 as `path:line:col: kind: message` with paths relative to the
# checked repository, each once; prints the number of errors last, alone on its line.
#
# Two kinds of follow-on errors are shown as a count only, and not counted, where an error in the repository's own
# files explains them (otherwise they are shown and counted like any other):
#   - Errors inside a macro expansion (a file under swift-generated-sources) whose use site, the line the compiler's
#     "in expansion of macro ... here" note names, has an error itself: on iOS `#expect(processExitsWith:)` is
#     unavailable, and the compiler still expands it, into a call of `__checkClosureCall(...processExitsWith:...)`,
#     which the iOS Testing module does not have (swift-testing compiles it out there too).
#   - Once a mandatory SIL diagnostic (such as a region-isolation error) has failed, the compiler still checks the
#     test-content records that the Testing macros generate, but without the optimizations that make their
#     initializers constant, and reports each of them ("'@const' value should be initialized with a compile-time
#     value", "global variable must be a compile-time constant to use @section attribute"; checked: a file with
#     one region-isolation error next to a @Test function gets both, the same file without it gets neither).
report_diagnostics() {
    python3 - "$1" "$root" <<'PYTHON'
import collections
import re
import sys

log, root = sys.argv[1], sys.argv[2].rstrip("/") + "/"
diagnostic = re.compile(r"^(.*?):(\d+):(\d+): (error|warning|note): (.*)$")
expansion_note = re.compile(r"^in expansion of macro '[^']+'")
record_messages = (
    "'@const' value should be initialized with a compile-time value",
    "global variable must be a compile-time constant to use @section attribute",
)


def relative(path):
    return path[len(root):] if path.startswith(root) else path


def generated(path):
    return "/swift-generated-sources/" in path


entries = []  # dicts: text, error, path, line, message, site
seen = set()
for raw in open(log, encoding="utf-8", errors="replace"):
    raw = raw.rstrip("\n")
    match = diagnostic.match(raw)
    if not match:
        if re.match(r"^(<unknown>:\d+:\d+: |)error: ", raw) and raw not in seen:
            seen.add(raw)
            entries.append(dict(text=raw, error=True, path="", line="", message=raw, site=None))
        continue
    path, row, column, kind, message = match.groups()
    path = relative(path)
    if kind == "note":
        # The first expansion note after a diagnostic in a generated file names the macro's use site.
        if entries and expansion_note.match(message) and generated(entries[-1]["path"]) \
                and entries[-1]["site"] is None and not generated(path):
            entries[-1]["site"] = (path, row)
        continue
    text = "%s:%s:%s: %s: %s" % (path, row, column, kind, message)
    if text in seen:
        entries.append(dict(text=None, error=False, path=path, line=row, message=message, site=None))
        continue
    seen.add(text)
    entries.append(dict(text=text, error=kind == "error", path=path, line=row, message=message, site=None))

entries = [entry for entry in entries if entry["text"]]
own_error_lines = {(e["path"], e["line"]) for e in entries if e["error"] and not generated(e["path"])}
own_errors = sum(1 for e in entries if e["error"] and not generated(e["path"]))
follow_ons = collections.Counter()
shown_errors = 0
for entry in entries:
    if entry["error"] and generated(entry["path"]):
        if entry["site"] in own_error_lines:
            follow_ons["inside the expansion of a macro use that is an error itself: " + entry["message"]] += 1
            continue
        if own_errors and entry["message"] in record_messages:
            follow_ons["in a test-content record after an earlier error: " + entry["message"]] += 1
            continue
        if entry["site"]:
            entry["text"] += " (in the expansion of the macro at %s:%s)" % entry["site"]
    if entry["error"]:
        shown_errors += 1
    print(entry["text"])
if follow_ons:
    print("(and %d follow-on errors, not counted:)" % sum(follow_ons.values()))
    for message, count in sorted(follow_ons.items()):
        print("(  %4d %s)" % (count, message))
print(shown_errors)
PYTHON
}

summary=()
total_errors=0
stop=0

# Runs the compile step $1 (a name) with log $2 and command "${@:3}", prints its diagnostics and records its error
# count for target $target_name.
check_step() {
    local name="$1" log="$2"
    shift 2
    local status=0
    run_logged "$name" "$log" "$@" || status=$?
    local report errors
    report="$(report_diagnostics "$log")"
    errors="$(tail -n 1 <<<"$report")"
    sed '$d' <<<"$report" | sed 's/^/      /'
    if [ "$status" -ne 0 ] && [ "$errors" -eq 0 ]; then
        # The compiler failed without a diagnostic we recognize: show its output and count it as one error.
        sed -n '1,40p' "$log" | sed 's/^/      | /'
        errors=1
    fi
    summary+=("$(printf '%-32s %-14s %4d error%s' "$current_triple" "$target_name" "$errors" \
        "$([ "$errors" -eq 1 ] || echo s)")")
    total_errors=$((total_errors + errors))
    [ "$errors" -eq 0 ] || [ "$keep_going" -eq 1 ] || stop=1
}

# --- The manifest -------------------------------------------------------------------------------------------------

# Answers questions about the manifest (`swift package dump-package` output, file $1):
#   triples                 the triples to check: x86_64 macOS and the x86_64 iOS simulator at the manifest's
#                           deployment targets
#   flags TARGET PLATFORM   the compiler flags that target's settings add on that platform (macos, ios, ...), one a
#                           line, as SwiftPM applies them in a debug build without traits; and -swift-version
# Fails on a setting it does not know how to mirror.
manifest_query() {
    python3 - "$@" <<'PYTHON'
import json
import sys

manifest = json.load(open(sys.argv[1], encoding="utf-8"))
question = sys.argv[2]


def die(message):
    sys.stderr.write("manifest_query: %s\n" % message)
    sys.exit(1)


if question == "triples":
    versions = {p["platformName"]: p["version"] for p in manifest.get("platforms") or []}
    if "macos" not in versions or "ios" not in versions:
        die("the manifest declares no macOS or no iOS deployment target")
    print("x86_64-apple-macos%s" % versions["macos"])
    print("x86_64-apple-ios%s-simulator" % versions["ios"])
    sys.exit(0)

target_name, platform = sys.argv[3], sys.argv[4]
targets = [t for t in manifest["targets"] if t["name"] == target_name]
if len(targets) != 1:
    die("no target %s in the manifest" % target_name)
enabled_traits = set()
for trait in manifest.get("traits") or []:
    if trait["name"] == "default":
        enabled_traits |= set(trait.get("enabledTraits") or [])
modes = manifest.get("swiftLanguageModes") or manifest.get("swiftLanguageVersions") or ["5"]
language_mode = max(modes, key=lambda mode: [int(part) for part in mode.split(".")])
flags = []
for setting in targets[0].get("settings") or []:
    if setting.get("tool") != "swift":
        continue
    condition = setting.get("condition") or {}
    if condition.get("platformNames") and platform not in condition["platformNames"]:
        continue
    configuration = condition.get("config")
    if isinstance(configuration, dict):
        configuration = configuration.get("config")
    if configuration and configuration != "debug":
        continue
    if condition.get("traits") and not (set(condition["traits"]) & enabled_traits):
        continue
    (kind, value), = setting["kind"].items()
    argument = value.get("_0") if isinstance(value, dict) else value
    if kind == "define":
        flags += ["-D", argument]
    elif kind == "enableUpcomingFeature":
        flags += ["-enable-upcoming-feature", argument]
    elif kind == "enableExperimentalFeature":
        flags += ["-enable-experimental-feature", argument]
    elif kind == "swiftLanguageMode":
        language_mode = argument
    elif kind == "defaultIsolation":
        flags += ["-default-isolation", argument]
    elif kind in ("treatAllWarnings", "treatWarning", "strictMemorySafety"):
        pass  # warnings are not counted here
    elif kind == "unsafeFlags":
        flags += list(argument)
    else:
        die("target %s: setting %s is not mirrored by check-apple-platforms.sh" % (target_name, kind))
print("-swift-version")
print(language_mode)
for flag in flags:
    print(flag)
PYTHON
}

# The platform name SwiftPM's conditions use for triple $1.
platform_of() {
    case "$1" in
        *-apple-macos*) echo macos ;;
        *-apple-ios*) echo ios ;;
        *-apple-tvos*) echo tvos ;;
        *-apple-watchos*) echo watchos ;;
        *-apple-xros* | *-apple-visionos*) echo visionos ;;
        *) fail "not an Apple triple: $1" ;;
    esac
}

# --- The checks ---------------------------------------------------------------------------------------------------

package_name="$(basename "$root" | tr '[:upper:]' '[:lower:]')"
root_id="$(printf '%s' "$root" | sha256sum | cut -c1-12)"
mapfile -t library_sources < <(find "$root/Sources/Rundown" -name '*.swift' | LC_ALL=C sort)
mapfile -t test_sources < <(find "$root/Tests/RundownTests" -name '*.swift' | LC_ALL=C sort)
mapfile -t support_sources < <(find "$root/Sources/RundownTestSupport" -name '*.swift' | LC_ALL=C sort)
[ ${#library_sources[@]} -gt 0 ] || fail "no Swift files under $root/Sources/Rundown"
[ ${#test_sources[@]} -gt 0 ] || fail "no Swift files under $root/Tests/RundownTests"

echo "check-apple-platforms: $root"
echo "  toolchain: $("$frontend" -version 2>&1 | head -n 1)"
echo "  stand-in SDK: $standin_sdk"
overall_start="$(now_ns)"

# The manifest, as SwiftPM evaluates it (its own scratch path, so that it never waits for a build in the checkout).
manifest_json="$cache/manifest/$root_id.json"
mkdir -p "$cache/manifest"
manifest_start="$(now_ns)"
if ! nice -n 10 "$swift" package --package-path "$root" --scratch-path "$cache/manifest/$root_id" dump-package \
    >"$manifest_json" 2>"$cache/manifest/$root_id.log"; then
    sed -n '1,40p' "$cache/manifest/$root_id.log" >&2
    fail "swift package dump-package failed for $root"
fi
manifest_took="$(seconds_since "$manifest_start")"
printf '    %-52s %6s s\n' "read the manifest (swift package dump-package)" "$manifest_took"
current_triple="(manifest)"
record_time "$current_triple" "swift package dump-package" "$manifest_took"
if [ ${#triples[@]} -eq 0 ]; then
    mapfile -t triples < <(manifest_query "$manifest_json" triples) || fail "no triples from the manifest"
    [ ${#triples[@]} -eq 2 ] || fail "no triples from the manifest"
fi
echo "  triples: ${triples[*]}"

for current_triple in "${triples[@]}"; do
    [ "$stop" -eq 0 ] || break
    echo
    echo "== $current_triple"
    build_interfaces

    work="$cache/$current_triple/runs/$root_id"
    rm -rf "$work"
    mkdir -p "$work/modules" "$work/CRundownSupport" "$work/CRundownTestSupport"
    clang_cache="$cache/$current_triple/clang-module-cache"
    # SwiftPM's generated module map for the C target.
    cat >"$work/CRundownSupport/module.modulemap" <<EOF
module CRundownSupport {
    umbrella header "$root/Sources/CRundownSupport/include/CRundownSupport.h"
    export *
}
EOF
    cat >"$work/CRundownTestSupport/module.modulemap" <<EOF
module CRundownTestSupport {
    umbrella header "$root/Sources/CRundownTestSupport/include/CRundownTestSupport.h"
    export *
}
EOF
    platform="$(platform_of "$current_triple")"
    mapfile -t library_flags < <(manifest_query "$manifest_json" flags Rundown "$platform") ||
        fail "reading the settings of Rundown from the manifest failed"
    mapfile -t test_flags < <(manifest_query "$manifest_json" flags RundownTests "$platform") ||
        fail "reading the settings of RundownTests from the manifest failed"
    if [ ${#library_flags[@]} -lt 2 ] || [ ${#test_flags[@]} -lt 2 ]; then
        fail "no settings from the manifest (see the errors above)"
    fi
    echo "    manifest settings on $platform: Rundown ${library_flags[*]}; RundownTests ${test_flags[*]}"
    common=(
        -target "$current_triple" -sdk "$standin_sdk" -I "$modules" -module-cache-path "$clang_cache"
        -Onone -enable-testing -D SWIFT_PACKAGE -D DEBUG -D SWIFT_MODULE_RESOURCE_BUNDLE_UNAVAILABLE
        -package-name "$package_name" -parse-as-library -diagnostic-style llvm -plugin-path "$plugins"
        -Xcc "-fmodule-map-file=$work/CRundownSupport/module.modulemap"
        -Xcc -I -Xcc "$root/Sources/CRundownSupport/include"
        -Xcc "-fmodule-map-file=$work/CRundownTestSupport/module.modulemap"
        -Xcc -I -Xcc "$root/Sources/CRundownTestSupport/include"
    )

    target_name=Rundown
    module_status=0
    run_logged "Rundown: emit module" "$work/Rundown.emit-module.log" \
        "$frontend" -frontend -emit-module "${library_sources[@]}" -module-name Rundown "${common[@]}" \
        "${library_flags[@]}" -experimental-skip-non-inlinable-function-bodies-without-types \
        -emit-module-path "$work/modules/Rundown.swiftmodule" || module_status=$?
    check_step "Rundown: SIL" "$work/Rundown.sil.log" \
        "$frontend" -frontend -emit-sil "${library_sources[@]}" -module-name Rundown "${common[@]}" \
        "${library_flags[@]}" -o "$work/Rundown.sil"
    [ "$stop" -eq 0 ] || break

    target_name=RundownTests
    if [ "$module_status" -ne 0 ] || [ ! -f "$work/modules/Rundown.swiftmodule" ]; then
        echo "    RundownTests: not checked, the Rundown module could not be emitted (its errors are above)"
        summary+=("$(printf '%-32s %-14s %s' "$current_triple" "$target_name" "not checked")")
        total_errors=$((total_errors + 1))
        [ "$keep_going" -eq 1 ] || stop=1
        continue
    fi
    # The tests' support target (threads, pinning, naming), which the tests import.
    run_logged "RundownTestSupport: emit module" "$work/RundownTestSupport.emit-module.log" \
        "$frontend" -frontend -emit-module "${support_sources[@]}" -module-name RundownTestSupport "${common[@]}" \
        -experimental-skip-non-inlinable-function-bodies-without-types \
        -emit-module-path "$work/modules/RundownTestSupport.swiftmodule" || true
    check_step "RundownTests: SIL" "$work/RundownTests.sil.log" \
        "$frontend" -frontend -emit-sil "${test_sources[@]}" -module-name RundownTests "${common[@]}" \
        "${test_flags[@]}" -I "$work/modules" -enable-cross-import-overlays -o "$work/RundownTests.sil"
done

echo
echo "== timings"
printf '  %s\n' "${timings[@]}"
echo "  total: $(seconds_since "$overall_start") s"
echo
echo "== summary"
printf '  %s\n' "${summary[@]}"
if [ "$stop" -eq 1 ]; then
    echo "  (stopped after the first target with errors; --keep-going checks the rest)"
fi
if [ "$total_errors" -ne 0 ]; then
    echo "check-apple-platforms: $total_errors error$([ "$total_errors" -eq 1 ] || echo s)"
    exit 1
fi
echo "check-apple-platforms: OK"
