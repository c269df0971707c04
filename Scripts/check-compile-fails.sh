#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Compiles each file of Scripts/CompileFails against the built Rundown module (Swift 6 language mode, warnings as
# errors, through SIL so that the ownership checker runs) and checks the outcome its header comments announce:
#
#     // EXPECT-COMPILES            the file compiles (the control: proves the command line works at all)
#     // EXPECT-ERROR: <text>       the compiler fails with an error containing <text>; one line per error, and every
#                                  error it reports must be one of them (so a case cannot fail for another reason)
#     // EXPECT-NOTE: <text>        ... and a note containing <text>; every "protocol requires" note must be one of
#                                  them (a conformance misses exactly the requirement the case omits)
#
# Prints PASS or FAIL per file with the diagnostics it expected; exits 1 if any expectation is not met.
#
# Usage: Scripts/check-compile-fails.sh [FILE.swift ...]   (default: every file of Scripts/CompileFails)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
    files=("$@")
else
    files=(Scripts/CompileFails/*.swift)
fi

if ! build_log=$(swift build --target Rundown 2>&1); then
    printf '%s\n' "$build_log"
    echo "check-compile-fails: the Rundown module does not build" >&2
    exit 1
fi
bin=$(swift build --show-bin-path)
swiftc=$(command -v swiftc || xcrun --find swiftc)
sdk=()
if [ "$(uname -s)" = Darwin ]; then
    sdk=(-sdk "$(xcrun --show-sdk-path)")
fi
output=$(mktemp)
trap 'rm -f "$output"' EXIT

failures=0
for file in "${files[@]}"; do
    name=$(basename "$file" .swift)
    compiles=0
    expected_errors=()
    expected_notes=()
    while IFS= read -r line; do
        case "$line" in
            "// EXPECT-COMPILES"*) compiles=1 ;;
            "// EXPECT-ERROR: "*) expected_errors+=("${line#// EXPECT-ERROR: }") ;;
            "// EXPECT-NOTE: "*) expected_notes+=("${line#// EXPECT-NOTE: }") ;;
        esac
    done <"$file"
    if [ "$compiles" -eq 0 ] && [ "${#expected_errors[@]}" -eq 0 ]; then
        echo "FAIL $name: announces neither EXPECT-COMPILES nor EXPECT-ERROR"
        failures=$((failures + 1))
        continue
    fi

    status=0
    "$swiftc" -emit-sil -o /dev/null -parse-as-library -swift-version 6 -warnings-as-errors \
        -diagnostic-style=llvm -module-name "CompileFail$name" ${sdk[@]+"${sdk[@]}"} \
        -I "$bin/Modules" -Xcc -fmodule-map-file="$bin/CRundownSupport.build/module.modulemap" \
        "$file" >"$output" 2>&1 || status=$?

    problems=()
    if [ "$compiles" -eq 1 ]; then
        [ "$status" -eq 0 ] || problems+=("expected to compile, but the compiler failed (exit status $status)")
    else
        [ "$status" -ne 0 ] || problems+=("expected to fail, but it compiled")
        errors=$(grep -E '^[^ ]+:[0-9]+:[0-9]+: error: ' "$output" || true)
        notes=$(grep -E '^[^ ]+:[0-9]+:[0-9]+: note: ' "$output" || true)
        for expected in ${expected_errors[@]+"${expected_errors[@]}"}; do
            grep -q -F -- "$expected" <<<"$errors" || problems+=("no error containing: $expected")
        done
        for expected in ${expected_notes[@]+"${expected_notes[@]}"}; do
            grep -q -F -- "$expected" <<<"$notes" || problems+=("no note containing: $expected")
        done
        while IFS= read -r error; do
            [ -n "$error" ] || continue
            matched=0
            for expected in ${expected_errors[@]+"${expected_errors[@]}"}; do
                if [[ "$error" == *"$expected"* ]]; then
                    matched=1
                fi
            done
            [ "$matched" -eq 1 ] || problems+=("unexpected error: $error")
        done <<<"$errors"
        # A missing conformance must miss exactly the requirements announced: not one renamed since.
        while IFS= read -r note; do
            [ -n "$note" ] || continue
            matched=0
            for expected in ${expected_notes[@]+"${expected_notes[@]}"}; do
                if [[ "$note" == *"$expected"* ]]; then
                    matched=1
                fi
            done
            [ "$matched" -eq 1 ] || problems+=("unexpected missing requirement: ${note#*: note: }")
        done < <(grep -F 'note: protocol requires' <<<"$notes" || true)
    fi

    if [ "${#problems[@]}" -eq 0 ]; then
        if [ "$compiles" -eq 1 ]; then
            echo "PASS $name: compiles"
        else
            echo "PASS $name: fails with"
            grep -E '^[^ ]+:[0-9]+:[0-9]+: (error|note): ' "$output" | while IFS= read -r diagnostic; do
                for expected in ${expected_errors[@]+"${expected_errors[@]}"} \
                    ${expected_notes[@]+"${expected_notes[@]}"}; do
                    if [[ "$diagnostic" == *"$expected"* ]]; then
                        echo "    ${diagnostic#*: }"
                        break
                    fi
                done
            done
        fi
    else
        failures=$((failures + 1))
        echo "FAIL $name:"
        printf '    %s\n' ${problems[@]+"${problems[@]}"}
        sed 's/^/    | /' "$output"
    fi
done

if [ "$failures" -ne 0 ]; then
    echo "check-compile-fails: $failures of ${#files[@]} case(s) did not behave as expected"
    exit 1
fi
echo "check-compile-fails: all ${#files[@]} cases behaved as expected"
