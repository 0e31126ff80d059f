# syntax=docker/dockerfile:1
# Yardmaster on Node 24 (slim), running its TypeScript sources with Node's own type stripping.

# Production dependencies only: no compiler, no test tools, no install scripts beyond what package.json allows.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN groupadd --system yardmaster \
 && useradd --system --gid yardmaster --home-dir /home/yardmaster --create-home --shell /usr/sbin/nologin yardmaster
COPY --from=deps /app/node_modules ./node_modules
COPY package.json app.yml ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
COPY examples ./examples
# SSH identities and secret_env values come from the environment or mounted files at run time, never the image.
# The embedded database (only without DATABASE_URL) and the package cache live under the user's home: mount a volume
# at /home/yardmaster/.local/share/yardmaster to keep the embedded database across containers.
ENV PORT=3000
EXPOSE 3000
USER yardmaster
# The default command is the server (webhooks, /healthz, /readyz, in-process workers): `npm start` without npm.
# Workers alone: `node bin/yardmaster.js worker`; any CLI command: `node bin/yardmaster.js <command>`.
# See docs/operations.md and deploy/compose.yml.
CMD ["node", "src/main.ts"]
