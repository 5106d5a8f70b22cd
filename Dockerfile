# syntax=docker/dockerfile:1
# Build stage: full dependencies, compile TypeScript.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

# Runtime stage: production dependencies and dist/ only, as a non-root user.
FROM node:24-bookworm-slim
# Shown by GET /version: docker build --build-arg BUILD_COMMIT=$(git rev-parse --short HEAD) \
#   --build-arg BUILD_DATE=$(date -u +%FT%TZ) .
ARG BUILD_COMMIT=
ARG BUILD_DATE=
ENV NODE_ENV=production PORT=8080 DATA_DIR=/data BUILD_COMMIT=$BUILD_COMMIT BUILD_DATE=$BUILD_DATE
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
