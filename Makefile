# Lethe: `make run` to build and start the server, `make test` to build and run every test.
LETHE_LISTEN ?= 127.0.0.1:8080
LETHE_DATA ?= ./data
JOBS ?= $(shell nproc)
export LETHE_LISTEN LETHE_DATA

.PHONY: run build test deps bench bench-scale fuzz format clean

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build/release -j $(JOBS) --target lethe

run: build
	./build/release/lethe serve --listen "$(LETHE_LISTEN)" --data "$(LETHE_DATA)"

# Tests run with AddressSanitizer and UBSan.
test: deps
	@cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLETHE_SANITIZE=ON >/dev/null
	@cmake --build build/asan -j $(JOBS)
	cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

bench:
	@scripts/install-deps.sh --bench
	@cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build/release -j $(JOBS) --target lethe lethe_erasure_bench lethe_export_bench lethe_ingest_bench
	bench/run.sh build/release/lethe build/release/lethe_erasure_bench build/release/lethe_export_bench build/release/lethe_ingest_bench

# Metadata at scale (issue 13): 1,000,000 then 10,000,000 media rows, on
# SQLite and on a PostgreSQL of its own; about 75 minutes and up to 26 GB of /tmp.
bench-scale: deps
	@cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build/release -j $(JOBS) --target lethe
	python3 -B bench/scale.py build/release/lethe

fuzz: deps
	@cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ -DLETHE_FUZZ=ON >/dev/null
	@cmake --build build/fuzz -j $(JOBS)

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build
