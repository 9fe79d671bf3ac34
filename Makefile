# flowlens — two commands on a fresh Debian 12:
#   make demo   installs what is missing, builds, generates the demo data, stores it, shows it and
#               serves the dashboard on http://127.0.0.1:8080/ (DEMO_LISTEN=HOST:PORT to move it)
#   make test   installs what is missing, builds, runs every test (unit, golden, end-to-end,
#               browser, fuzz)
# Other targets: build, web (the dashboard), blob-emulator (Azurite for the blob tests), bench
# (parse), bench-ingest, bench-query, bench-serve, bench-blob, fuzz (a long fuzzing run), format, clean.

BUILD_DIR   ?= build
FUZZ_DIR    ?= build-fuzz
DEMO_DIR    ?= demo-data
DEMO_STORE  ?= $(DEMO_DIR)/flowlens-data
DEMO_LISTEN ?= 127.0.0.1:8080
JOBS        ?= $(shell nproc)
FUZZ_SECONDS ?= 60
KQL_FUZZ_SECONDS ?= 30
# CI builds treat warnings as errors.
ifeq ($(CI),true)
  WERROR := ON
else
  WERROR ?= OFF
endif
FLOWLENS := $(BUILD_DIR)/src/app/flowlens
GEO_DB := third_party/ip-location-db/node_modules/@ip-location-db
DEMO_ENRICHMENT := --topology $(DEMO_DIR)/enrichment/topology.json \
  --service-tags $(DEMO_DIR)/enrichment/service-tags.json --threats $(DEMO_DIR)/enrichment/threats.csv \
  --geoip $(GEO_DB)/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb \
  --asn $(GEO_DB)/asn/asn-ipv4.csv --asn $(GEO_DB)/asn/asn-ipv6.csv

.PHONY: all deps deps-test deps-bench build web blob-emulator test unit fuzz-smoke fuzz demo bench bench-ingest bench-query \
        bench-serve bench-blob format format-check clean

all: build

deps:
	@scripts/install-deps.sh build
	@scripts/install-geoip.sh
deps-test:
	@scripts/install-deps.sh test
	@scripts/install-geoip.sh
deps-bench:
	@scripts/install-deps.sh bench
	@scripts/install-geoip.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOWLENS_WERROR=$(WERROR)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The dashboard: npm packages exactly as web/package-lock.json pins them (installed again only
# when the lockfile changes), bundled by esbuild into web/dist, which `flowlens serve` serves.
WEB_STAMP := web/node_modules/.flowlens-installed
$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@
web: deps $(WEB_STAMP)
	@cd web && npm run --silent build

# Azurite, the Azure Storage emulator, for the blob client's end-to-end test (ctest e2e_blob),
# exactly as tests/blob/package-lock.json pins it.
BLOB_STAMP := tests/blob/node_modules/.flowlens-installed
$(BLOB_STAMP): tests/blob/package.json tests/blob/package-lock.json
	cd tests/blob && npm ci --no-audit --no-fund --loglevel=error
	@touch $@
blob-emulator: deps $(BLOB_STAMP)

# Every test: unit tests, parser goldens, CLI end-to-end, the 2 GB streaming memory test, and a
# short fuzzing run.
test: deps-test build web blob-emulator format-check
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory fuzz-smoke

unit: build blob-emulator
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -E e2e_stream_2gb

$(FUZZ_DIR)/build.ninja:
	CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLOWLENS_FUZZ=ON

# Short libFuzzer runs over a copy of the golden files and past findings, then of the KQL seed
# queries (the repository is never written to). A finding fails the run and is left in
# $(FUZZ_DIR)/findings.
fuzz-smoke: deps-test $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target flowlens_parser_fuzz
	@rm -rf $(FUZZ_DIR)/corpus && mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/findings
	@cp tests/flowlogs/*.json tests/flowlogs/*.jsonl tests/fuzz/regressions/* $(FUZZ_DIR)/corpus/
	cd $(FUZZ_DIR)/findings && ../tests/fuzz/flowlens_parser_fuzz -max_total_time=$(FUZZ_SECONDS) \
	  -max_len=16384 -timeout=10 -print_final_stats=1 ../corpus
	@# The KQL parser, over a copy of tests/fuzz/kql_corpus (once the query engine is in the tree).
	@if [ -f src/query/parser.h ]; then \
	  cmake --build $(FUZZ_DIR) -j $(JOBS) --target flowlens_kql_fuzz && \
	  rm -rf $(FUZZ_DIR)/kql-corpus && mkdir -p $(FUZZ_DIR)/kql-corpus && \
	  cp tests/fuzz/kql_corpus/* $(FUZZ_DIR)/kql-corpus/ && \
	  cd $(FUZZ_DIR)/findings && ../tests/fuzz/flowlens_kql_fuzz -max_total_time=$(KQL_FUZZ_SECONDS) \
	    -max_len=4096 -timeout=10 -print_final_stats=1 ../kql-corpus; \
	else echo "fuzz-smoke: no src/query/parser.h, flowlens_kql_fuzz skipped"; fi

# A long run for local use: make fuzz FUZZ_SECONDS=3600
fuzz: FUZZ_SECONDS=1800
fuzz: KQL_FUZZ_SECONDS=1800
fuzz: fuzz-smoke

# Generates a day of the small estate (once), ingests it into a data directory (again: a
# re-run stores nothing twice) and shows what is there.
demo: build web
	@if [ ! -d $(DEMO_DIR)/insights-logs-flowlogflowevent ] || [ ! -d $(DEMO_DIR)/enrichment ]; then \
	  $(FLOWLENS) gen --out $(DEMO_DIR) --scale small --seed 1 --in-progress --force \
	    --enrichment $(DEMO_DIR)/enrichment; fi
	@echo
	@echo "== flowlens parse --summary $(DEMO_DIR)/insights-logs-flowlogflowevent"
	@$(FLOWLENS) parse --summary $(DEMO_DIR)/insights-logs-flowlogflowevent
	@echo
	@echo "== flowlens ingest --data $(DEMO_STORE) $(DEMO_DIR)/insights-logs-flowlogflowevent" \
	  "(with topology, service tags, a threat feed, geo-IP and ASN data)"
	@$(FLOWLENS) ingest --data $(DEMO_STORE) $(DEMO_DIR)/insights-logs-flowlogflowevent $(DEMO_ENRICHMENT)
	@echo
	@echo "== flowlens status --data $(DEMO_STORE)"
	@$(FLOWLENS) status --data $(DEMO_STORE)
	@echo
	@echo "== two rows of the Traffic Analytics rollup (flowlens export NTANetAnalytics | head -2)"
	@$(FLOWLENS) export --data $(DEMO_STORE) NTANetAnalytics | head -2
	@echo
	@for q in traffic-by-flow-type open-ports-from-internet malicious-addresses; do \
	  echo "== flowlens query -f examples/queries/$$q.kql"; \
	  grep '^//' examples/queries/$$q.kql; \
	  $(FLOWLENS) query --data $(DEMO_STORE) -f examples/queries/$$q.kql || exit 1; echo; done
	@echo "Explore further: $(FLOWLENS) query --data $(DEMO_STORE) 'FlowTuples | take 10' (docs/query.md)"
	@echo
	@echo "== flowlens serve --data $(DEMO_STORE) --listen $(DEMO_LISTEN): the dashboard (docs/dashboard.md)"
	@$(FLOWLENS) serve --data $(DEMO_STORE) --listen $(DEMO_LISTEN)

# Ingest throughput, bytes per tuple and memory against DuckDB and ClickHouse (bench/README.md).
bench-ingest: deps-bench build
	bench/ingest_bench.sh $(FLOWLENS)

# KQL query latency against DuckDB and ClickHouse over the same rows (bench/README.md).
bench-query: deps-bench build
	bench/query_bench.sh $(FLOWLENS)

# Dashboard panel latency (cold and cached) and 50 concurrent clients with wrk (bench/README.md).
bench-serve: deps-bench build
	bench/serve_bench.sh $(FLOWLENS)

# Following a storage account: watch against Azurite, throughput, bytes downloaded, freshness.
bench-blob: blob-emulator build
	bench/blob_bench.sh $(FLOWLENS)

# Parse throughput against jq and DuckDB on generated data (see bench/README.md).
bench: deps-bench build
	bench/parse_bench.sh $(FLOWLENS)

format:
	find src tests bench -name '*.cpp' -o -name '*.h' | xargs clang-format -i

format-check:
	@find src tests bench -name '*.cpp' -o -name '*.h' | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR) web/dist
