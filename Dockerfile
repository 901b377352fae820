# Builds and runs backinstock-server on Debian 12 with Debian's own packages.
FROM debian:12-slim AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake make g++ pkg-config libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev \
      protobuf-compiler grpc-proto libjwt-dev nlohmann-json3-dev libssl-dev \
      golang-github-gogo-googleapis-dev libcurl4-openssl-dev libmstch-dev libmicrohttpd-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBACKINSTOCK_BUILD_TESTS=OFF \
    && cmake --build /build -j "$(nproc)" --target backinstock-server

FROM debian:12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgrpc++1.51 libprotobuf32 libjwt0 libcurl4 libmicrohttpd12 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /var/lib/backinstock backinstock \
    && mkdir -p /var/lib/backinstock && chown backinstock /var/lib/backinstock
COPY --from=build /build/server/backinstock-server /usr/local/bin/backinstock-server
USER backinstock
# Every flag also reads BACKINSTOCK_<FLAG>; the keys file must be mounted.
ENV BACKINSTOCK_LISTEN=0.0.0.0:50051 \
    BACKINSTOCK_KEYS_FILE=/etc/backinstock/keys.json \
    BACKINSTOCK_LOG_FORMAT=json \
    BACKINSTOCK_METRICS_LISTEN=0.0.0.0:9464
EXPOSE 50051 9464
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/backinstock-server"]
