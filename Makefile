# The two commands of the README, and a few more. Each installs what is missing
# (Debian packages, npm packages) and is quick when everything is there.
#   make run    build and start the server with the development keys
#   make test   build and run every test, then again under ASan + UBSan

BUILD       ?= build
SAN_BUILD   ?= build-sanitize
JOBS        ?= $(shell nproc)
CTEST_JOBS  ?= $(JOBS)
LISTEN      ?= 127.0.0.1:50051
METRICS_LISTEN ?= 127.0.0.1:9464
HTTP_LISTEN ?= 127.0.0.1:8080
# Where make run delivers notification emails (a Maildir: open it with `mutt -f`).
MAIL_DIR ?= $(CURDIR)/$(BUILD)/mail

APT_PACKAGES := cmake make g++ pkg-config libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev \
  protobuf-compiler grpc-proto libjwt-dev nlohmann-json3-dev libssl-dev \
  golang-github-gogo-googleapis-dev libgtest-dev libgmock-dev libbenchmark-dev \
  python3-grpcio python3-protobuf docker-compose openssl \
  etcd-server etcd-client golang-etcd-server-dev golang-github-gogo-protobuf-dev \
  zlib1g-dev clang libclang-rt-14-dev ccache \
  libcurl4-openssl-dev libmstch-dev python3-aiosmtpd chromium \
  libmicrohttpd-dev prometheus libboost-dev ninja-build nghttp2-client libnghttp2-dev curl wrk \
  clang-format-14

.PHONY: all deps build run test test-fast test-sanitize clean format-check

all: build

# Installs the Debian packages that are missing (root, or sudo when present).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done; \
	  command -v node >/dev/null || echo nodejs; \
	  command -v npm >/dev/null || echo npm); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Debian packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@for dir in client/node tests/buf tests/e2e/http/wix_sdk; do \
	  if [ -f $$dir/package.json ] && [ ! -d $$dir/node_modules ]; then \
	    echo "Installing npm packages for $$dir"; \
	    (cd $$dir && npm ci --no-audit --no-fund --loglevel=error) || exit 1; \
	  fi; \
	done

# What keeps `make test` within CI's budget on two cores (docs/decisions.md,
# "Build time"): the test trees leave the benchmarks out (`make bench` builds
# its own Release tree); Ninja keeps both cores busy across targets; the
# sanitizer tree is compiled by clang with line tables only (-g1), and clang's
# -Wthread-safety -Werror checks the lock annotations while it compiles, so the
# normal tree does not run the separate clang pass (thread_safety_analysis).
$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DBACKINSTOCK_BUILD_BENCH=OFF -DBACKINSTOCK_WERROR=ON -DBACKINSTOCK_THREAD_SAFETY_TEST=OFF

$(SAN_BUILD)/CMakeCache.txt:
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(SAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DBACKINSTOCK_SANITIZE=ON -DBACKINSTOCK_BUILD_BENCH=OFF \
	  -DBACKINSTOCK_WERROR=ON

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target backinstock-server
	@echo "*** make run uses config/dev-keys.json: DEVELOPMENT KEYS, committed to git. ***"
	@echo "*** Anyone can mint tokens for this server. Never use them in a deployment.  ***"
	exec $(BUILD)/server/backinstock-server --keys_file=config/dev-keys.json --listen=$(LISTEN) \
	  --metrics_listen=$(METRICS_LISTEN) \
	  --http_listen=$(HTTP_LISTEN) --mail_dir=$(MAIL_DIR)

test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(CTEST_JOBS)

test-sanitize: deps $(SAN_BUILD)/CMakeCache.txt
	cmake --build $(SAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(CTEST_JOBS)

# The formatting check, the whole suite, then the whole suite again under the
# sanitizers; the last lines are ctest's summary of the sanitized run.
test: format-check test-fast test-sanitize

clean:
	rm -rf $(BUILD) $(SAN_BUILD)

# Fails if a tracked C++ file differs from what clang-format makes of it
# (.clang-format: Google style, 100 columns). Prints the offending lines.
CLANG_FORMAT ?= clang-format-14
format-check: deps
	git ls-files -z '*.cc' '*.h' | xargs -0 $(CLANG_FORMAT) --dry-run --Werror

# Benchmarks (bench/run.sh): a Release build of the server, the baseline and the
# benchmark programs in $(RELEASE_BUILD), then the whole run and its ratio table.
RELEASE_BUILD ?= build-release
BENCH_TARGETS := backinstock-server backinstock-bench-baseline backinstock-bench-load \
  backinstock-bench-store backinstock-bench-auth backinstock-bench-query backinstock-bench-memory \
  backinstock-bench-etcd-put backinstock-bench-metrics backinstock-bench-delivery \
  backinstock-bench-http-bare backinstock-bench-h2 backinstockctl

.PHONY: bench

$(RELEASE_BUILD)/CMakeCache.txt:
	cmake -S . -B $(RELEASE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DBACKINSTOCK_BUILD_TESTS=OFF

bench: deps $(RELEASE_BUILD)/CMakeCache.txt
	cmake --build $(RELEASE_BUILD) -j $(JOBS) --target $(BENCH_TARGETS)
	bench/run.sh $(RELEASE_BUILD)
	bench/http/run.sh $(RELEASE_BUILD)

# Fuzzing (fuzz/): the libFuzzer targets built with clang, ASan and UBSan in
# $(FUZZ_BUILD), each run for FUZZ_SECONDS from the committed corpus; fails if
# any target crashes. `make test` replays the corpus without libFuzzer.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := fuzz_token_verifier fuzz_journal_record fuzz_query_filter fuzz_query_cursor \
  fuzz_create_request

.PHONY: fuzz

$(FUZZ_BUILD)/CMakeCache.txt:
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  -DBACKINSTOCK_FUZZ=ON -DBACKINSTOCK_BUILD_TESTS=OFF -DBACKINSTOCK_BUILD_BENCH=OFF

fuzz: deps $(FUZZ_BUILD)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(FUZZ_TARGETS)
	fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
