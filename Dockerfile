# The modeldock image: the platform (`up`), instances (`instance`) and the init step that
# fetches a model version from the blob store (`fetch-blobs`) — one image, chosen by args.
# Not built on the development machine (it has no Docker engine); see docs/kubernetes.md.
#
#   docker build -t registry.example.com/modeldock:0.1.0 .

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# The Python runtime (tiinfer-compatible model_service.py) uses Debian's torch stack.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-torch python3-torchvision python3-pil python3-numpy ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/proto ./proto
# read at run time from beside dist/: the Python runtime's modules (modeldock_worker, tiinfer,
# kserve, mosec), the templates catalogue and the built-in task examples
COPY --from=build /src/python ./python
COPY --from=build /src/templates ./templates
COPY --from=build /src/examples ./examples
ENV NODE_ENV=production \
    MODELDOCK_PYTHON=/usr/bin/python3 \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# uid 1000 is the image's `node` user; the manifests run as it with a read-only root
USER 1000:1000
EXPOSE 8080 8081
ENTRYPOINT ["node", "/app/bin/modeldock.js"]
CMD ["up", "--host", "0.0.0.0", "--port", "8080", "--data-dir", "/var/lib/modeldock"]
