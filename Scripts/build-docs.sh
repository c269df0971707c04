#!/usr/bin/env bash
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
swift-symbolgraph-extract -module-name Rundown -I "$bin/Modules" \
    -Xcc -fmodule-map-file="$bin/CRundownSupport.build/module.modulemap" \
    -target "$(uname -m)-unknown-linux-gnu" \
    -minimum-access-level public -skip-synthesized-members -output-dir "$symbols"
docc convert Sources/Rundown/Rundown.docc \
    --fallback-display-name Rundown --fallback-bundle-identifier org.swift-rundown.Rundown \
    --additional-symbol-graph-dir "$symbols" \
    --warnings-as-errors \
    --output-path "$scratch/Rundown.doccarchive"
echo "Documentation built: $scratch/Rundown.doccarchive"
