#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Checks that every public name and signature of the baseline (the commit in Scripts/api-baseline) still compiles the
# same way: `swift package diagnose-api-breaking-changes <baseline>` must report nothing that is not explained.
#
# The digester reports a member that moved from a type into an extension of a protocol the type conforms to as
# removed (or renamed, or changed), although every call of it compiles as before. So this script
#   1. runs the digester once without an allowlist (building the baseline once; it is cached under
#      .build/<triple>/apidiff afterwards) and the current module's API dump with the same tool;
#   2. runs Scripts/check-api.py on the two dumps: it proves every public member of the baseline present with the
#      same signature, on its type or in an extension of a protocol the type conforms to (an error otherwise, even
#      if the digester said nothing), and classifies each digester line: about a member proven present (allowlisted),
#      on the explicit list below (allowlisted), about a declaration that was not API (`@_spi` or underscored:
#      allowlisted, see README "Source stability"), or unexplained (an error);
#   3. runs the digester again with the allowlist generated in step 2, which must then report nothing.
#
# Usage: Scripts/check-api.sh [--verbose]   (--verbose lists every baseline member and where it is now)
# Moving the baseline: put the new commit in Scripts/api-baseline (for example the release's commit).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

verbose=()
for argument in "$@"; do
    case "$argument" in
        --verbose) verbose=(--verbose) ;;
        -h | --help)
            sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "check-api: unknown argument '$argument' (try --help)" >&2
            exit 2
            ;;
    esac
done

# The protocol-conformance changes allowed on purpose, each after the comment that gives its reason. They change
# nothing for callers (check-api.py still checks every member a caller can use); they do change what a type of
# another module must implement to conform to these protocols, which is not supported (README "Source stability",
# CHANGELOG "Changed"). Exact digester lines, without the leading "API breakage: ".
explicitly_allowed=$(
    cat <<'LIST'
# RundownProtection (the two classes) now refines RundownProtecting, the protocol whose extensions hold the members
# all three run-down types share. A conforming type must now implement RundownProtecting's underscored primitives.
protocol RundownProtection has added inherited protocol RundownProtecting
# The same change as seen in the protocol's generic signature: `Self : Swift.Sendable` is now
# `Self : Rundown.RundownProtecting`, which refines Sendable, so every conforming type is still Sendable.
protocol RundownProtection has generic signature change from <Self : AnyObject, Self : Swift.Sendable, Self.UnsafeProtection : Rundown.RundownUnsafeProtection> to <Self : AnyObject, Self : Rundown.RundownProtecting, Self.UnsafeProtection : Rundown.RundownUnsafeProtection>
# The underscored primitive that tryAcquire() and tryAcquire(count:) are written on, once, in RundownProtection's
# extension (where check-api.py finds both with their old signatures). Not API; only conforming types see it.
func RundownProtection._acquireGuard(units:fileID:line:function:) has been added as a protocol requirement
# The unsafe view's requirement is now the underscored primitive `_tryAcquire`; the `tryAcquire(count:fileID:line:
# function:)` callers use is RundownUnsafeProtection's extension method with the old signature and defaults
# (check-api.py checks it on the protocol and on both classes' UnsafeProtection). Only conforming types see it.
func RundownUnsafeProtection.tryAcquire(count:fileID:line:function:) has been renamed to func _tryAcquire(count:fileID:line:function:)
LIST
)

baseline=$(grep -v -e '^#' -e '^[[:space:]]*$' Scripts/api-baseline | head -n 1 | tr -d '[:space:]')
if [ -z "$baseline" ]; then
    echo "check-api: Scripts/api-baseline names no commit" >&2
    exit 2
fi
if ! revision=$(git rev-parse --verify --quiet "$baseline^{commit}"); then
    echo "check-api: the baseline $baseline is not in this clone (a shallow clone? git fetch --unshallow)" >&2
    exit 2
fi

digester=$(command -v swift-api-digester || xcrun --find swift-api-digester)
demangler=$(command -v swift-demangle || xcrun --find swift-demangle)
bin=$(swift build --show-bin-path)
apidiff="$(dirname "$bin")/apidiff"
work="$apidiff/check-api"
mkdir -p "$work"
printf '%s\n' "$explicitly_allowed" >"$work/explicitly-allowed.txt"

diagnose() {
    swift package diagnose-api-breaking-changes "$revision" --products Rundown --baseline-dir "$apidiff" "$@"
}

echo "check-api: baseline $revision; diagnose-api-breaking-changes without allowlist"
status=0
diagnose >"$work/digester.txt" 2>&1 || status=$?
if ! grep -q -E '(No breaking changes|breaking changes?) detected in Rundown' "$work/digester.txt"; then
    cat "$work/digester.txt"
    echo "check-api: diagnose-api-breaking-changes did not compare Rundown (exit status $status)" >&2
    exit 1
fi
baseline_dump="$apidiff/$revision/Rundown.json"
if [ ! -f "$baseline_dump" ]; then
    echo "check-api: the baseline dump is not where expected: $baseline_dump" >&2
    exit 1
fi

# The current module's dump, made by the same tool with the search paths the digester used for the baseline (the
# module was just built by diagnose-api-breaking-changes).
sdk=()
if [ "$(uname -s)" = Darwin ]; then
    sdk=(-sdk "$(xcrun --show-sdk-path)")
fi
"$digester" -dump-sdk -module Rundown ${sdk[@]+"${sdk[@]}"} \
    -I "$bin/Modules" -I "$bin/CRundownSupport.build" -I Sources/CRundownSupport/include \
    -o "$work/current.json"

status=0
python3 Scripts/check-api.py \
    --baseline "$baseline_dump" --current "$work/current.json" \
    --digester-output "$work/digester.txt" --explicit "$work/explicitly-allowed.txt" \
    --allowlist-out "$work/allowlist.txt" --demangler "$demangler" ${verbose[@]+"${verbose[@]}"} || status=$?
if [ "$status" -ne 0 ]; then
    echo "check-api: FAILED (the digester's own report: $work/digester.txt)" >&2
    exit 1
fi

echo "check-api: diagnose-api-breaking-changes with the generated allowlist ($(wc -l <"$work/allowlist.txt") lines)"
status=0
diagnose --breakage-allowlist-path "$work/allowlist.txt" >"$work/digester-allowlisted.txt" 2>&1 || status=$?
if [ "$status" -ne 0 ] || grep -q 'API breakage' "$work/digester-allowlisted.txt"; then
    cat "$work/digester-allowlisted.txt"
    echo "check-api: FAILED: diagnose-api-breaking-changes still reports breakage with the allowlist" >&2
    exit 1
fi
echo "check-api: passed in $((SECONDS - started))s"
