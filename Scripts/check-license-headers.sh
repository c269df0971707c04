#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Checks that every source file of the repository carries the one-line SPDX license header
#
#     // SPDX-License-Identifier: Apache-2.0     (Swift, C, C headers, Promela)
#     # SPDX-License-Identifier: Apache-2.0      (shell, Python, extension-less scripts)
#
# as one of its first 3 lines. A shebang line may come first, and a `Package.swift` must keep its
# `// swift-tools-version: ...` comment as the very first line (SwiftPM reads it there), so its header goes on
# line 2; a `Package.swift` whose first line is not the tools-version comment is reported too.
#
# Files checked: those git knows (tracked, plus untracked ones that .gitignore does not exclude, so a new file is
# caught before it is committed; in CI's fresh clone that is exactly the tracked files) named *.swift, *.c, *.h,
# *.sh, *.py or *.pml, `.ci/run`, and every executable file without an extension under Scripts/ or .ci/.
# Ignored: anything under .git or a .build* folder, and Package.resolved.
#
# Usage: Scripts/check-license-headers.sh [--fix] [REPO_ROOT]
#   Lists each file without the header and exits 1 if there is any, 0 otherwise.
#   --fix  inserts the header where it is missing instead (after a shebang or the swift-tools-version line, and
#          after a Python coding declaration that follows a shebang), then reports what it changed; it exits 1
#          only for what it cannot fix (a Package.swift that does not start with its tools-version line).
#   REPO_ROOT (or the REPO_ROOT environment variable) selects the checkout; default: this script's repository.
set -euo pipefail

fix=0
root="${REPO_ROOT:-}"
for argument in "$@"; do
    case "$argument" in
        --fix) fix=1 ;;
        -h | --help)
            sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
            exit 0
            ;;
        -*)
            echo "check-license-headers: unknown option '$argument' (try --help)" >&2
            exit 2
            ;;
        *) root="$argument" ;;
    esac
done
if [ -z "$root" ]; then
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fi
cd "$root"
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "check-license-headers: $root is not a git checkout" >&2
    exit 2
fi

swift_header='// SPDX-License-Identifier: Apache-2.0'
hash_header='# SPDX-License-Identifier: Apache-2.0'

# Prints the header a file of this path should carry, or nothing if the file is not checked.
header_for() {
    local path="$1" name="${1##*/}"
    case "/$path/" in
        */.git/* | */.build*/*) return 0 ;;
    esac
    [ "$name" = Package.resolved ] && return 0
    case "$name" in
        *.swift | *.c | *.h | *.pml) echo "$swift_header" ;;
        *.sh | *.py) echo "$hash_header" ;;
        *)
            if [ "$path" = .ci/run ]; then
                echo "$hash_header"
            elif [[ "$name" != *.* && -x "$path" && ("$path" == Scripts/* || "$path" == .ci/*) ]]; then
                echo "$hash_header"
            fi
            ;;
    esac
}

# True if `header` is one of the first 3 lines of `path` (ignoring a carriage return at the end of a line).
has_header() {
    head -n 3 -- "$1" | tr -d '\r' | grep -qxF -- "$2"
}

# True if the first line of `path` is SwiftPM's tools-version comment.
starts_with_tools_version() {
    head -n 1 -- "$1" | grep -qiE '^//[[:space:]]*swift-tools-version[[:space:]]*:'
}

# Inserts `header` into `path` after the lines that must stay first, keeping the file's mode.
insert_header() {
    local path="$1" header="$2" after=0 first second
    first="$(head -n 1 -- "$path" | tr -d '\r')"
    second="$(sed -n 2p -- "$path" | tr -d '\r')"
    if [[ "$first" == '#!'* ]] || starts_with_tools_version "$path"; then
        after=1
        # PEP 263: a coding declaration must stay on line 1 or 2.
        if [[ "$first" == '#!'* ]] && printf '%s\n' "$second" | grep -qE '^[[:space:]]*#.*coding[:=]'; then
            after=2
        fi
    fi
    local temporary
    temporary="$(mktemp)"
    awk -v after="$after" -v header="$header" '
        NR == after + 1 { print header; done = 1 }
        { print }
        END { if (!done) print header }
    ' "$path" >"$temporary"
    cat "$temporary" >"$path"
    rm -f "$temporary"
}

checked=0
missing=()
fixed=()
broken=()
while IFS= read -r -d '' path; do
    [ -f "$path" ] || continue # deleted in the working tree, not yet in the index
    header="$(header_for "$path")"
    [ -n "$header" ] || continue
    checked=$((checked + 1))
    if [ "${path##*/}" = Package.swift ] && ! starts_with_tools_version "$path"; then
        broken+=("$path:1: the first line must be the '// swift-tools-version: ...' comment")
        continue
    fi
    has_header "$path" "$header" && continue
    if [ "$fix" = 1 ]; then
        insert_header "$path" "$header"
        fixed+=("$path")
    else
        missing+=("$path:1: no '$header' in the first 3 lines")
    fi
done < <(git ls-files -z --cached --others --exclude-standard | sort -zu)

for line in "${fixed[@]+"${fixed[@]}"}"; do echo "$line: header inserted"; done
for line in "${missing[@]+"${missing[@]}"}" "${broken[@]+"${broken[@]}"}"; do echo "$line"; done

failures=$((${#missing[@]} + ${#broken[@]}))
if [ "$failures" -gt 0 ]; then
    echo "check-license-headers: $failures of $checked files fail (run with --fix to insert missing headers)"
    exit 1
fi
if [ "${#fixed[@]}" -gt 0 ]; then
    echo "check-license-headers: inserted the header into ${#fixed[@]} of $checked files"
else
    echo "check-license-headers: all $checked files carry the SPDX header"
fi
