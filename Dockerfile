# syntax=docker/dockerfile:1
#
# One image for every role of the hub. The command picks the role:
#   gateway:                node dist/gateway/main.js                  (the default CMD)
#   qualifications shard:   node dist/subgraphs/qualifications/main.js
#   mobilities shard:       node dist/subgraphs/mobilities/main.js
#   recognition shard:      node dist/subgraphs/recognition/main.js
#   a school's own system:  node dist/subgraphs/school-system/main.js (a qualifications shard over the school's tables)
# Configuration comes only from the environment (see gateway/config.ts and subgraphs/shared/config.ts; platform/config.ts reads them).

# --- build: compile TypeScript and the native better-sqlite3 module, then drop dev dependencies ---
FROM node:26-bookworm-slim AS build
WORKDIR /app

# node-gyp toolchain for better-sqlite3 when no prebuilt binary fits; this stage only.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The sources tsconfig.build.json compiles: the application without its tests (test/ and bench/ stay out).
COPY tsconfig.json tsconfig.build.json ./
COPY platform ./platform
COPY gateway ./gateway
COPY subgraphs ./subgraphs
COPY schema ./schema
COPY scripts ./scripts
RUN npm run build:image \
  && npm prune --omit=dev --no-audit --no-fund

# --- runtime: compiled code, production dependencies, committed schema and seed data ---
FROM node:26-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Only the committed SDL (supergraph.graphql, qualifications.graphql); the .ts sources are compiled into dist/.
COPY --from=build /app/schema/*.graphql ./schema/
# The dashboard and outcome editor pages are served as they are, not compiled.
COPY gateway/dashboard/page.html ./gateway/dashboard/page.html
COPY gateway/outcomes/page.html ./gateway/outcomes/page.html
COPY gateway/statistics/overview.html ./gateway/statistics/overview.html
# Seed data (demo/institutions/<code>.json) and the demo registry.
COPY demo ./demo
# The registry docker-compose.yml points the gateway at (REGISTRY_PATH=/app/deploy/registry.compose.json).
COPY deploy ./deploy
# Official schemas (ELMO XSD, Europass EDC JSON Schema) with their licences: shards validate ELMO uploads against them.
COPY third_party ./third_party

# Writable only where a shard on SQLite (DATABASE_URL=sqlite:data/...) would keep its file; the code stays root-owned.
RUN mkdir -p /app/data && chown node:node /app/data

USER node
EXPOSE 4000 4001
CMD ["node", "dist/gateway/main.js"]
