#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Checks the portability conventions of the repository (issue 10): platform code lives in one shim per target, and
# every platform branch that a shim or a C file chooses between is there.
#
# Conventions enforced
#
#   Shims. A target is a folder Sources/<name>, Tests/<name> or Benchmarks/<name> of a package (the repository
#   root, Benchmarks/ and Examples/ are packages: every folder with a Package.swift). A target's platform shim is
#   the file named PlatformShim.swift anywhere in its folder.
#   - The library, Sources/Rundown, has exactly one shim: Sources/Rundown/Platform/PlatformShim.swift.
#   - Every other target has at most one shim.
#   - A shim outside the library re-exports the C library (`@_exported import Glibc`, ...) so that the rest of its
#     target sees it. The library's shim must not: `@_exported import Glibc|Musl|Darwin` anywhere under
#     Sources/Rundown is an error, because it would leak the C library into every client's namespace.
#
#   Imports and conditions outside the shims (every other Swift file, except Package.swift manifests).
#   - No `import` of a C library module: Glibc, Musl, Darwin (also SwiftGlibc, Bionic, Android, WASILibc, WinSDK,
#     ucrt), in any form: with attributes (`@preconcurrency`, `@_exported`, ...), an access level
#     (`internal import`), a declaration kind (`import struct Glibc.timespec`) or a submodule (`import Darwin.C`).
#   - No `import` of a module that exists on some platforms only (Foundation's submodules `import Foundation.X`
#     and CoreFoundation exist on Darwin only, FoundationNetworking and FoundationXML off Darwin only, and
#     ObjectiveC), unless the import sits inside `#if canImport(ThatModule)`, the portable idiom.
#   - No platform condition: `canImport(...)` of a C library module or `os(...)` (any operating system) in an
#     `#if` or `#elseif`. Allowed where the line directly above the chain's `#if` is a justification comment
#     `// portability: <reason>` (for the rare test that is skipped on a platform); it covers the whole chain.
#
#   Chains in the shims. Every `#if` chain that tests canImport(Glibc), canImport(Musl) or canImport(Darwin) names
#   all three in its `#if`/`#elseif` conditions and ends with `#else` containing `#error("...")` before its
#   `#endif`, so that a new platform stops the build at the shim. Nested chains are tracked separately.
#
#   C files (every *.c and *.h). Every `#if`/`#ifdef`/`#ifndef`/`#elif` chain that tests __linux__, __APPLE__ or
#   __GLIBC__ has both a Linux branch (a condition naming __linux__, __linux or __gnu_linux__; __GLIBC__ alone
#   leaves musl out) and an Apple branch (__APPLE__, __MACH__ or TARGET_OS_*), or ends with `#else` + `#error`.
#   A `// portability: <reason>` (or `/* portability: <reason> */`) line directly above the `#if` exempts it.
#
# What it catches: a file that imports the C library (or a platform-only module) outside its target's shim; a
# second shim in a target; a library shim that is missing, misplaced or re-exports the C library; a shim outside
# the library that imports the C library without re-exporting it; a platform test outside a shim without a
# justification; a shim chain or C chain that forgets a platform or has no `#error` fallback; unbalanced
# `#if`/`#endif`. Comments and string literals (also multi-line and raw strings, with interpolation) are skipped,
# so code quoted in them does not count.
#
# What it cannot catch: it reads text, it does not compile.
# - Whether a branch is right for its platform: a wrong signature (a start routine's argument optional on Linux
#   but not on Darwin), a type that differs (`pthread_t` is a pointer on musl), an API that does not exist there.
#   Read each branch against the platform's headers, or build on the platform.
# - Platform-specific API reached without a platform import or condition: a non-shim file calling a glibc-only
#   function through its shim's re-export, or through `import Foundation` (which re-exports Glibc on Linux).
# - Conditions it does not know: `targetEnvironment(...)`, `arch(...)`, `_pointerBitWidth(...)`, `compiler(...)`,
#   custom `-D` flags, `canImport` of other modules.
# - What a condition means: `!canImport(Darwin)` counts as naming Darwin, `#ifndef __APPLE__` as an Apple branch.
# - Targets whose `path:` in Package.swift lies outside Sources/, Tests/ or Benchmarks/: their files are still
#   checked as non-shim files, but the one-shim-per-target rule does not see them. Package.swift manifests are not
#   checked at all.
# - Platform-specific `#include`s in C outside a platform chain, and C++ or Objective-C files.
#
# Usage: Scripts/check-portability.sh [REPO_ROOT]
#   Checks the files git knows (tracked, plus untracked ones .gitignore does not exclude; in CI's fresh clone,
#   exactly the tracked files), skipping .build* folders. Prints each violation as `path:line: message`, then a
#   summary line; exits 1 on any violation, 0 otherwise. REPO_ROOT (also the REPO_ROOT environment variable)
#   selects the checkout; default: this script's repository.
set -euo pipefail

root="${REPO_ROOT:-}"
case "${1:-}" in
    -h | --help)
        sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
        exit 0
        ;;
    -*)
        echo "check-portability: unknown option '$1' (try --help)" >&2
        exit 2
        ;;
    ?*) root="$1" ;;
esac
if [ -z "$root" ]; then
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fi
cd "$root"
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "check-portability: $root is not a git checkout" >&2
    exit 2
fi
command -v python3 >/dev/null 2>&1 || {
    echo "check-portability: needs python3" >&2
    exit 2
}

program="$(
    cat <<'PYTHON'
import os
import re
import sys

LIBRARY = "Sources/Rundown"
LIBRARY_SHIM = "Sources/Rundown/Platform/PlatformShim.swift"
SHIM_NAME = "PlatformShim.swift"
SHIM_PLATFORMS = ("Glibc", "Musl", "Darwin")
LIBC_MODULES = {"Glibc", "Musl", "Darwin", "SwiftGlibc", "Bionic", "Android", "WASILibc", "WinSDK", "ucrt"}
PLATFORM_ONLY_MODULES = {"CoreFoundation", "FoundationNetworking", "FoundationXML", "ObjectiveC"}

violations = []  # (path, line, message)


def report(path, line, message):
    violations.append((path, line, message))


# --- Swift: blank out comments and string literals, keeping line structure --------------------------------------

STRING_START = re.compile(r'(#*)("""|")')


def swift_code(text):
    """`text` with comments and the contents of string literals replaced by spaces (newlines kept), so that
    directives and imports can be matched line by line. Handles nested block comments, multi-line strings, raw
    strings (#"..."#) and interpolations, which are code again."""
    out = []
    stack = [["code", 0]]  # ["code", paren depth] (an interpolation when not the bottom) or ["string", hashes, multi]
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        top = stack[-1]
        if top[0] == "code":
            if c == "/" and text.startswith("//", i):
                j = text.find("\n", i)
                j = n if j < 0 else j
                out.append(" " * (j - i))
                i = j
                continue
            if c == "/" and text.startswith("/*", i):
                depth, j = 0, i
                while j < n:
                    if text.startswith("/*", j):
                        depth, j = depth + 1, j + 2
                    elif text.startswith("*/", j):
                        depth, j = depth - 1, j + 2
                        if depth == 0:
                            break
                    else:
                        j += 1
                out.append(re.sub(r"[^\n]", " ", text[i:j]))
                i = j
                continue
            if c in '#"':
                m = STRING_START.match(text, i)
                if m:
                    out.append(text[i : m.end()])
                    i = m.end()
                    stack.append(["string", len(m.group(1)), m.group(2) == '"""'])
                    continue
            if len(stack) > 1:
                if c == "(":
                    top[1] += 1
                elif c == ")":
                    if top[1] == 0:
                        stack.pop()
                    else:
                        top[1] -= 1
            out.append(c)
            i += 1
            continue
        _, hashes, multi = top
        close = ('"""' if multi else '"') + "#" * hashes
        if text.startswith(close, i):
            out.append(close)
            i += len(close)
            stack.pop()
            continue
        escape = "\\" + "#" * hashes
        if c == "\\" and text.startswith(escape, i):
            k = i + len(escape)
            if k < n and text[k] == "(":
                out.append(" " * (k - i) + "(")
                i = k + 1
                stack.append(["code", 0])
                continue
            out.append(" " * (k - i))
            i = k
            if i < n:
                out.append("\n" if text[i] == "\n" else " ")
                i += 1
            continue
        if c == "\n" and not multi:  # an unterminated single-line string: recover at the end of the line
            stack.pop()
        out.append("\n" if c == "\n" else " ")
        i += 1
    return "".join(out)


# --- C: blank out comments and literals, join continued lines ----------------------------------------------------


def c_code(text):
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            out.append(c)
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                if text[j] == "\\" and j + 1 < n:
                    out.append(" " if text[j + 1] != "\n" else "\n")
                    j += 1
                out.append(" ")
                j += 1
            if j < n and text[j] == c:
                out.append(c)
                j += 1
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def logical_lines(code):
    """(first line number, text) of each logical line, continuation lines joined."""
    lines = code.split("\n")
    result, i = [], 0
    while i < len(lines):
        start, text = i + 1, lines[i]
        while text.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text.rstrip()[:-1] + " " + lines[i]
        result.append((start, text))
        i += 1
    return result


JUSTIFICATION = re.compile(r"^\s*(//|/\*)\s*portability:\s*\S")


def justified(raw_lines, index):
    """Whether the raw line at `index` (0-based) is a `// portability: <reason>` comment."""
    return 0 <= index < len(raw_lines) and JUSTIFICATION.match(raw_lines[index]) is not None


class Chain:
    def __init__(self, line, condition, exempt):
        self.line = line
        self.exempt = exempt
        self.branches = [["#if", condition, line, False]]  # kind, condition, line, contains #error

    def conditions(self):
        return " ".join(branch[1] for branch in self.branches)

    def ends_with_error(self):
        last = self.branches[-1]
        return last[0] == "#else" and last[3]


# --- Swift files --------------------------------------------------------------------------------------------------

SWIFT_DIRECTIVE = re.compile(r"^\s*#(if|elseif|else|endif)\b(.*)$")
SWIFT_ERROR = re.compile(r"^\s*#error\b")
IMPORT = re.compile(
    r"^\s*(?P<attributes>(?:@\w+(?:\([^)]*\))?\s+)*)"
    r"(?:(?:public|package|internal|fileprivate|private|open)\s+)?"
    r"import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?"
    r"(?P<module>\w+)(?P<submodules>(?:\s*\.\s*\w+)*)"
)
ATTRIBUTES_ONLY = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s*)+$")
CANIMPORT_LIBC = re.compile(r"\bcanImport\s*\(\s*(%s)\b" % "|".join(sorted(LIBC_MODULES)))
CANIMPORT_SHIM = re.compile(r"\bcanImport\s*\(\s*(Glibc|Musl|Darwin)\b")
OS_CONDITION = re.compile(r"\bos\s*\(\s*(\w+)\s*\)")


def platform_tests(condition):
    tests = ["canImport(%s)" % m.group(1) for m in CANIMPORT_LIBC.finditer(condition)]
    tests += ["os(%s)" % m.group(1) for m in OS_CONDITION.finditer(condition)]
    return tests


def check_swift(path, text, is_shim, in_library, is_library_shim):
    raw_lines = text.split("\n")
    code_lines = swift_code(text).split("\n")
    chains = []
    pending_attributes = ""
    libc_imports = []  # (line, module, exported)

    def check_condition(condition, line, chain):
        if is_shim or chain.exempt:
            return
        tests = platform_tests(condition)
        if tests:
            report(
                path,
                line,
                "platform condition %s outside a platform shim (move it into the target's %s, or put "
                "`// portability: <reason>` on the line directly above the chain's #if)" % (", ".join(tests), SHIM_NAME),
            )

    def close_chain(chain):
        if not is_shim:
            return
        named = {m.group(1) for m in CANIMPORT_SHIM.finditer(chain.conditions())}
        if not named:
            return
        tested = ", ".join("canImport(%s)" % name for name in SHIM_PLATFORMS if name in named)
        missing = [name for name in SHIM_PLATFORMS if name not in named]
        if missing:
            report(path, chain.line, "#if chain tests %s but has no branch for %s" % (tested, ", ".join(missing)))
        if not chain.ends_with_error():
            report(
                path,
                chain.line,
                "#if chain tests %s but does not end with `#else` + `#error(\"...\")` before its #endif" % tested,
            )

    for number, code in enumerate(code_lines, start=1):
        directive = SWIFT_DIRECTIVE.match(code)
        if directive:
            kind, rest = directive.group(1), directive.group(2).strip()
            if kind == "if":
                chain = Chain(number, rest, justified(raw_lines, number - 2))
                chains.append(chain)
                check_condition(rest, number, chain)
            elif not chains:
                report(path, number, "#%s without a matching #if" % kind)
            elif kind == "elseif":
                chains[-1].branches.append(["#elseif", rest, number, False])
                check_condition(rest, number, chains[-1])
            elif kind == "else":
                chains[-1].branches.append(["#else", "", number, False])
            else:
                close_chain(chains.pop())
            pending_attributes = ""
            continue
        if SWIFT_ERROR.match(code):
            if chains:
                chains[-1].branches[-1][3] = True
            continue
        if ATTRIBUTES_ONLY.match(code):
            pending_attributes += " " + code
            continue
        for statement in code.split(";"):
            match = IMPORT.match(statement)
            if not match:
                continue
            attributes = pending_attributes + " " + match.group("attributes")
            module = match.group("module")
            submodules = re.sub(r"\s+", "", match.group("submodules"))
            exported = re.search(r"@_exported\b", attributes) is not None
            if module in LIBC_MODULES:
                if in_library and exported:
                    report(
                        path,
                        number,
                        "`@_exported import %s` in the library would leak the C library to every client; "
                        "import it without @_exported in %s" % (module, LIBRARY_SHIM),
                    )
                elif not is_shim:
                    report(
                        path,
                        number,
                        "imports %s%s outside a platform shim (%s)"
                        % (
                            module,
                            submodules,
                            "call through `Platform` in " + LIBRARY_SHIM
                            if in_library
                            else "the target's %s re-exports the C library" % SHIM_NAME,
                        ),
                    )
                libc_imports.append((number, module, exported))
            elif module in PLATFORM_ONLY_MODULES or (module == "Foundation" and submodules):
                name = module + submodules
                if is_shim:
                    continue
                guard = re.compile(r"\bcanImport\s*\(\s*%s\s*[,)]" % re.escape(name).replace(r"\.", r"\s*\.\s*"))
                guarded = any(guard.search(chain.branches[-1][1]) for chain in chains)
                if not guarded:
                    report(
                        path,
                        number,
                        "imports %s, which exists on some platforms only, outside a platform shim: guard it with "
                        "`#if canImport(%s)` or move it into the target's %s" % (name, name, SHIM_NAME),
                    )
        pending_attributes = ""

    for chain in chains:
        report(path, chain.line, "#if without a matching #endif")
    if is_shim and not in_library:
        for number, module, exported in libc_imports:
            if not exported:
                report(
                    path,
                    number,
                    "the shim imports %s without @_exported: a target's shim re-exports the C library so that "
                    "no other file of the target imports it" % module,
                )


# --- C files ------------------------------------------------------------------------------------------------------

C_DIRECTIVE = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif|error)\b(.*)$")
C_PLATFORM = re.compile(r"\b(__linux__|__APPLE__|__GLIBC__)\b")
C_LINUX = re.compile(r"\b(__linux__|__linux|__gnu_linux__)\b")
C_APPLE = re.compile(r"\b(__APPLE__|__MACH__|TARGET_OS_\w+)\b")


def check_c(path, text):
    raw_lines = text.split("\n")
    chains = []

    def close_chain(chain):
        conditions = chain.conditions()
        if chain.exempt or not C_PLATFORM.search(conditions):
            return
        has_linux = C_LINUX.search(conditions) is not None
        has_apple = C_APPLE.search(conditions) is not None
        if (has_linux and has_apple) or chain.ends_with_error():
            return
        tested = ", ".join(sorted({m.group(1) for m in C_PLATFORM.finditer(conditions)}))
        lacking = [name for name, present in (("Linux (__linux__)", has_linux), ("Apple (__APPLE__)", has_apple))
                   if not present]
        report(
            path,
            chain.line,
            "#if chain tests %s but has no %s branch and does not end with `#else` + `#error`"
            % (tested, " or ".join(lacking)),
        )

    for number, line in logical_lines(c_code(text)):
        directive = C_DIRECTIVE.match(line)
        if not directive:
            continue
        kind, rest = directive.group(1), directive.group(2).strip()
        if kind in ("if", "ifdef", "ifndef"):
            chains.append(Chain(number, rest, justified(raw_lines, number - 2)))
        elif kind == "error":
            if chains:
                chains[-1].branches[-1][3] = True
        elif not chains:
            report(path, number, "#%s without a matching #if" % kind)
        elif kind in ("elif", "elifdef", "elifndef"):
            chains[-1].branches.append(["#elif", rest, number, False])
        elif kind == "else":
            chains[-1].branches.append(["#else", "", number, False])
        else:
            close_chain(chains.pop())
    for chain in chains:
        report(path, chain.line, "#if without a matching #endif")


# --- Targets ------------------------------------------------------------------------------------------------------


def main():
    paths = sorted({p for p in sys.stdin.read().split("\0") if p})
    paths = [
        p for p in paths
        if os.path.isfile(p) and not any(part == ".git" or part.startswith(".build") for part in p.split("/"))
    ]
    packages = sorted({os.path.dirname(p) for p in paths if os.path.basename(p) == "Package.swift"},
                      key=len, reverse=True)

    def target_of(path):
        for package in packages:
            if package == "" or path.startswith(package + "/"):
                relative = path[len(package) + 1:] if package else path
                parts = relative.split("/")
                if len(parts) >= 3 and parts[0] in ("Sources", "Tests", "Benchmarks"):
                    return "/".join(([package] if package else []) + parts[:2])
                return None
        return None

    swift_files = [p for p in paths if p.endswith(".swift") and os.path.basename(p) != "Package.swift"]
    c_files = [p for p in paths if p.endswith((".c", ".h"))]
    shims = {}  # target -> [paths]
    for path in swift_files:
        target = target_of(path)
        if target and os.path.basename(path) == SHIM_NAME:
            shims.setdefault(target, []).append(path)

    library_present = any(target_of(p) == LIBRARY for p in swift_files)
    if library_present:
        library_shims = shims.get(LIBRARY, [])
        if LIBRARY_SHIM not in library_shims:
            report(LIBRARY_SHIM, 1, "the library has no platform shim here; all of its platform code belongs in it")
        for path in library_shims:
            if path != LIBRARY_SHIM:
                report(path, 1, "the library has exactly one platform shim, %s; merge this one into it" % LIBRARY_SHIM)
    for target, files in sorted(shims.items()):
        if target != LIBRARY and len(files) > 1:
            for path in files:
                report(path, 1, "target %s has %d shim files (%s); a target has at most one"
                       % (target, len(files), ", ".join(files)))

    for path in swift_files:
        target = target_of(path)
        is_shim = target is not None and os.path.basename(path) == SHIM_NAME
        with open(path, encoding="utf-8", errors="replace") as file:
            text = file.read()
        check_swift(path, text, is_shim, target == LIBRARY, path == LIBRARY_SHIM)
    for path in c_files:
        with open(path, encoding="utf-8", errors="replace") as file:
            check_c(path, file.read())

    for path, line, message in sorted(set(violations)):
        print("%s:%d: %s" % (path, line, message))
    targets = {target_of(p) for p in swift_files} - {None}
    scope = "%d Swift files in %d targets, %d shims, %d C files" % (
        len(swift_files), len(targets), sum(len(files) for files in shims.values()), len(c_files))
    if violations:
        count = len(set(violations))
        files = len({path for path, _, _ in violations})
        print("check-portability: %d violation%s in %d file%s (%s)"
              % (count, "" if count == 1 else "s", files, "" if files == 1 else "s", scope))
        return 1
    print("check-portability: OK (%s)" % scope)
    return 0


sys.exit(main())
PYTHON
)"

git ls-files -z --cached --others --exclude-standard | python3 -c "$program"
