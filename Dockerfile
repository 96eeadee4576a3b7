# syntax=docker/dockerfile:1
#
# Status Tracker: the custom Node server (server.ts, run through tsx) plus the Next production build.
#   docker build -t status-tracker .
#   docker run -d -p 8100:8100 -v status-tracker-data:/app/data \
#     -e WEBHOOK_SECRET=... -e API_KEY=... -e SONARR_URL=... -e SONARR_API_KEY=... status-tracker
# Everything is configured through the environment (see .env.example); the SQLite database lives
# in the /app/data volume.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- deps: every dependency, dev included (the build needs TypeScript, Tailwind, PostCSS) ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---- build: next build, then drop the dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# tsx and next are production dependencies: after the build the runtime needs nothing else.
# COPY cannot copy a folder that may not exist: make sure there is a public/ to copy.
RUN npx next build \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p public

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=8100 \
    DATABASE_URL=file:/app/data/status-tracker.db

# Code and dependencies stay owned by root (read-only for the app); only what the app writes
# (.next/cache, the database) belongs to the unprivileged "node" user of the base image.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/.next ./.next
COPY --from=build /app/public ./public
COPY --from=build /app/server.ts /app/tsconfig.json /app/next.config.ts /app/postcss.config.mjs ./
COPY --from=build /app/src ./src
COPY --from=build /app/drizzle ./drizzle
RUN mkdir -p /app/data && chown node:node /app/data

USER node
VOLUME /app/data
EXPOSE 8100

# No curl in the slim image: Node's own fetch. Migrations and Next start-up take a few seconds.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://localhost:' + (process.env.PORT || 8100) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# server.ts stops cleanly on SIGTERM (docker stop).
CMD ["node", "--import", "tsx", "server.ts"]
