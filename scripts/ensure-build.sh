#!/usr/bin/env bash
# Builds the Next app when there is no build or a source file is newer than it.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
if [ ! -f .next/BUILD_ID ] || [ -n "$(find src next.config.ts postcss.config.mjs package-lock.json -newer .next/BUILD_ID -type f 2>/dev/null | head -n 1)" ]; then
  echo "Building the web app (next build)..."
  npx next build
fi
