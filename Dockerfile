# syntax=docker/dockerfile:1
# Yardmaster on Node 24, running its TypeScript sources with Node's own type stripping.
#
# BASE is the runtime's base: any Debian-like image with Node 24 in /usr/local/bin and `useradd` (node:24-slim by
# default). BUILD_BASE installs the dependencies and needs npm as well (default: BASE). Without Docker or a registry,
# `npm run image:check` builds local bases (Debian bookworm + Node 24 from the npm registry, the build one with npm)
# and this file on them with buildah: docs/operations.md, "Building the image without Docker".
ARG BASE=node:24-slim
ARG BUILD_BASE=${BASE}

# Production dependencies only: no compiler, no test tools, no install scripts beyond what package.json allows.
FROM ${BUILD_BASE} AS deps
WORKDIR /app
# The lock file lists a workspace (tools/typescript6, a dev-only TypeScript): npm ci needs its package.json to exist.
COPY package.json package-lock.json ./
COPY tools/typescript6/package.json ./tools/typescript6/
# Behind a TLS-inspecting proxy: mount its CA bundle for this step and name it here (never part of the image).
ARG NODE_EXTRA_CA_CERTS
# Then out go what Node never loads: type declarations and source maps (-70 MB, most of it @octokit/openapi-types,
# copied into 14 packages), READMEs and changelogs, and the packages' own tests and their fixtures (ssh2's and
# universal-github-app-jwt's hold private keys, bottleneck ships a .env): the image check refuses any key or .env.
# Also out: tsx and esbuild (11 MB), bin/yardmaster.js's loader for a Node without type stripping, which Node 24
# outside node_modules never uses; nan and cpu-features, sources for native builds that package.json's
# allowScripts does not run (ssh2 works without them).
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error \
 && rm -rf node_modules/@yardmaster node_modules/@types tools /root/.npm \
      node_modules/tsx node_modules/esbuild node_modules/@esbuild node_modules/nan node_modules/cpu-features \
 && find node_modules -type d -regex '\(.*/\)?node_modules/\(@[^/]*/\)?[^/]*/\(test\|tests\|__tests__\)' -prune \
      -exec rm -rf {} + \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \
      -o -name '.env' -o -iname 'readme.md' -o -iname 'changelog.md' -o -iname 'history.md' \) -delete

FROM ${BASE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# A fixed uid/gid, so that mounted files and volumes can be given to it on the host (chown 10001).
# The embedded database (only without DATABASE_URL) and the package cache live under the user's home: mount a volume
# at /home/yardmaster/.local/share/yardmaster to keep the embedded database across containers.
# (--no-log-init: no lastlog record, a sparse file as large as the uid that layers would store in full.)
RUN groupadd --gid 10001 yardmaster \
 && useradd --uid 10001 --gid yardmaster --no-log-init --home-dir /home/yardmaster --create-home \
      --shell /usr/sbin/nologin yardmaster \
 && mkdir -p /home/yardmaster/.local/share/yardmaster /home/yardmaster/.cache \
 && chown -R yardmaster:yardmaster /home/yardmaster \
 && ln -s /app/bin/yardmaster.js /usr/local/bin/yardmaster
COPY --from=deps /app/node_modules ./node_modules
COPY package.json app.yml ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
COPY examples ./examples
# SSH identities, the App's key and secret_env values come from the environment or mounted files at run time
# (/run/secrets/… in deploy/compose.yml), never the image.
ENV PORT=3000
EXPOSE 3000
USER yardmaster
# The default command is the server (webhooks, /healthz, /readyz, in-process workers): `npm start` without npm.
# Workers alone: `yardmaster worker`; any CLI command: `yardmaster <command>` (= node bin/yardmaster.js <command>).
# See docs/operations.md and deploy/compose.yml.
CMD ["node", "src/main.ts"]
