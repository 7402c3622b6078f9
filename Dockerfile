# Tollgate sidecar image. The embedded policy bundle is committed, so no OPA CLI is needed to build it.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY policies ./policies
COPY proto ./proto
USER node
EXPOSE 8181 9191 8282
ENTRYPOINT ["node", "bin/tollgate.js"]
CMD ["serve"]
