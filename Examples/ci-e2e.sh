#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The end-to-end test of Examples/reloading-server, as CI runs it: build the Examples package (Hummingbird,
# swift-service-lifecycle, AsyncHTTPClient and the Rundown library) from a clean scratch path, then start the real
# server on 127.0.0.1 with ephemeral ports, load it for E2E_LOAD_SECONDS (20 by default) while reloading it at least
# 60 times, shut it down with SIGTERM and check every request, every generation and the exit status.
# A second test keeps a request that never finishes inside, and checks that the shutdown logs its site, gives up
# at its deadline and exits with status 3.
# Then the plugin host: 1,000 hot swaps of a dlopen'd library under load, and its unprotected control, which must
# die of SIGSEGV or SIGBUS.
#
# Usage: Examples/ci-e2e.sh            (from anywhere; loopback traffic only)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scratch="${E2E_SCRATCH_PATH:-$here/.build-ci-e2e}"
rm -rf "$scratch"

start=$(date +%s)
swift build --package-path "$here" --scratch-path "$scratch" --build-tests
built=$(date +%s)

export E2E_SERVER_LOG="${E2E_SERVER_LOG:-$scratch/reloading-server.log}"
status=0
swift test --package-path "$here" --scratch-path "$scratch" --skip-build --filter "ReloadingServerTests|PluginHostTests" || status=$?
finished=$(date +%s)

echo "ci-e2e: build $((built - start)) s, test $((finished - built)) s, total $((finished - start)) s"
if [ "$status" -ne 0 ]; then
    echo "ci-e2e: FAILED; the last lines the server printed ($E2E_SERVER_LOG):"
    tail -n 40 "$E2E_SERVER_LOG" 2>/dev/null || true
fi
exit "$status"
