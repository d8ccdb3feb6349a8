# syntax=docker/dockerfile:1.7
#
# One image per component, all from this file:
#   docker build --build-arg COMPONENT=land-contract -t <registry>/pingquan/land-contract:<tag> .
#   docker build --build-arg COMPONENT=gateway       -t <registry>/pingquan/gateway:<tag> .
# COMPONENT is the package name without its scope (@pingquan/<COMPONENT>): gateway, land-contract,
# property-mortgage, … The image holds only that component's production bundle (`pnpm deploy
# --prod`) at /app; the Helm chart runs `node /app/dist/main.js`, and for services also
# `node /app/dist/migrate.js` and `node /app/dist/streams.js` in its hook Job.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS builder
ARG COMPONENT
RUN test -n "${COMPONENT}" || { echo 'build with --build-arg COMPONENT=<gateway|land-contract|...>' >&2; exit 1; }
# pnpm's version is pinned exactly (npm on Node 20 otherwise drifts); corepack does not work here.
RUN npm i -g -E pnpm@12.4.2
ENV CI=true
WORKDIR /src

# Dependencies first, from the lockfile alone, so source edits reuse this layer.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=pingquan-pnpm-store,target=/pnpm/store \
    pnpm fetch --store-dir /pnpm/store

COPY . .
RUN --mount=type=cache,id=pingquan-pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --offline --store-dir /pnpm/store
RUN pnpm run build
# Only this component and its production dependencies (workspace packages are copied in, not linked).
RUN --mount=type=cache,id=pingquan-pnpm-store,target=/pnpm/store \
    pnpm --filter "@pingquan/${COMPONENT}" deploy --prod --store-dir /pnpm/store /out
RUN test -f /out/dist/main.js || { echo "@pingquan/${COMPONENT}: the bundle has no dist/main.js" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG COMPONENT
# Package managers are not needed at run time: less to scan, less to exploit.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && groupadd --system --gid 10001 pingquan \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pingquan

ENV NODE_ENV=production
WORKDIR /app
COPY --from=builder --chown=0:0 /out /app

LABEL org.opencontainers.image.title="pingquan-${COMPONENT}" \
      org.opencontainers.image.description="Pingquan platform component ${COMPONENT}" \
      org.opencontainers.image.licenses="Apache-2.0"

# Numeric, so Kubernetes' runAsNonRoot can verify it; the files stay root-owned and read-only to it.
USER 10001:10001
# Exec form: no shell between the kubelet's SIGTERM and Node's graceful shutdown.
CMD ["node", "/app/dist/main.js"]
