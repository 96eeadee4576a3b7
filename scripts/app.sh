#!/usr/bin/env bash
# Sets up and runs Status Tracker: installs dependencies, builds, starts the production server.
# With no media services configured it runs against the built-in simulated media stack.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/ensure-build.sh
export NODE_ENV=production
exec node --import tsx server.ts
