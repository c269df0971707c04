#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the DocC documentation of the Rundown module with warnings as errors, using only the toolchain's
# swift-symbolgraph-extract and docc: no package dependency for library users.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-docs
symbols="$scratch/symbol-graphs"
rm -rf "$symbols" "$scratch/Rundown.doccarchive"
mkdir -p "$symbols"
swift build --scratch-path "$scratch" --target Rundown
bin=$(swift build --scratch-path "$scratch" --show-bin-path)
# The host's target triple (x86_64-unknown-linux-gnu, arm64-apple-macosx15.0, ...), as the compiler names it.
triple=$(swift -print-target-info | python3 -c 'import json, sys; print(json.load(sys.stdin)["target"]["triple"])')
# The toolchain's tools: on PATH on Linux, found through xcrun on macOS.
extract=$(command -v swift-symbolgraph-extract || xcrun --find swift-symbolgraph-extract)
docc=$(command -v docc || xcrun --find docc)
"$extract" -module-name Rundown -I "$bin/Modules" \
    -Xcc -fmodule-map-file="$bin/CRundownSupport.build/module.modulemap" \
    -target "$triple" \
    -minimum-access-level public -skip-synthesized-members -output-dir "$symbols"
"$docc" convert Sources/Rundown/Rundown.docc \
    --fallback-display-name Rundown --fallback-bundle-identifier org.swift-rundown.Rundown \
    --additional-symbol-graph-dir "$symbols" \
    --warnings-as-errors \
    --output-path "$scratch/Rundown.doccarchive"
echo "Documentation built: $scratch/Rundown.doccarchive"
