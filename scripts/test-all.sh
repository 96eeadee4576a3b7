#!/usr/bin/env bash
# Sets up and runs every test: unit and integration (vitest, against real servers on loopback)
# and end-to-end (Playwright with the system Chromium). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
bash scripts/ensure-deps.sh || exit 1
bash scripts/ensure-build.sh || exit 1

results=$(mktemp -d)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json" || status=1

if compgen -G "e2e/*.spec.ts" >/dev/null; then
  if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" npx playwright test --reporter=list,json || status=1
  else
    echo "SKIPPED end-to-end tests: Chromium is not installed (apt-get install -y chromium)."
  fi
fi

node scripts/summarise-tests.mjs "$results" || status=1
rm -rf "$results"
exit $status
