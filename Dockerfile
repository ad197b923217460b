# Airbyte image of source-cloudwatch-logs. Two stages so the runtime image carries only the
# compiled connector and its production dependencies (no TypeScript, no test tools).

FROM node:26-slim AS build
WORKDIR /build
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
# Only what ships: prepack compiles src/ and sim/ (tsconfig.build.json), not the tests or benchmarks.
COPY src ./src
COPY sim ./sim
COPY README.md LICENSE CHANGELOG.md ./
# The image ships what `npm pack` ships (package.json "files", tested by test/package/pack.test.ts)
# plus production dependencies only. `npm pack` builds first (prepack), so it runs before the prune.
RUN npm pack --pack-destination /tmp && npm prune --omit=dev && mkdir /package \
    && tar -xzf /tmp/source-cloudwatch-logs-*.tgz -C /package --strip-components=1

FROM node:26-slim
# Airbyte runs connectors as a non-root user that must own a writable /airbyte.
RUN groupadd --system airbyte && useradd --system --gid airbyte --home-dir /airbyte airbyte \
    && mkdir -p /airbyte/integration_code && chown -R airbyte:airbyte /airbyte
WORKDIR /airbyte/integration_code
ENV NODE_ENV=production
COPY --from=build --chown=airbyte:airbyte /package/package.json ./package.json
COPY --from=build --chown=airbyte:airbyte /build/node_modules ./node_modules
COPY --from=build --chown=airbyte:airbyte /package/dist/src ./dist/src
# The simulator and its demo scenario (dist/sim/scenarios/demo.json), for `demo`.
COPY --from=build --chown=airbyte:airbyte /package/dist/sim ./dist/sim
USER airbyte
# The platform reads AIRBYTE_ENTRYPOINT; it must equal the ENTRYPOINT below, joined by spaces.
# The node flags are main.js's launch flags (its first line; see src/cli/heap.ts).
ENV AIRBYTE_ENTRYPOINT="node --max-semi-space-size=4 --single-threaded /airbyte/integration_code/dist/src/main.js"
ENTRYPOINT ["node", "--max-semi-space-size=4", "--single-threaded", "/airbyte/integration_code/dist/src/main.js"]
LABEL io.airbyte.name=airbyte/source-cloudwatch-logs
LABEL io.airbyte.version=0.1.0
