# Multi-stage: build with dev dependencies, run with production dependencies only, as the
# unprivileged `node` user. Node 26, the newest LTS line the test suite passes on. It builds with
# the classic builder and with BuildKit alike, so it names no frontend image to pull.

# The workspace manifests alone, so dependency layers stay cached until they change.
FROM node:26-bookworm-slim AS manifests
WORKDIR /src
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY web/package.json web/
COPY cli/package.json cli/

FROM manifests AS build
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY shared shared
COPY server server
COPY web web
RUN npm run build -w web && npm run build -w server

FROM manifests AS deps
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace server

FROM node:26-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=deps /src/node_modules node_modules
COPY --from=build /src/server/dist server/dist
COPY --from=build /src/web/dist web/dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "server/dist/main.js"]
