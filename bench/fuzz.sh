#!/usr/bin/env bash
# bench/fuzz.sh [SECONDS] [TARGET…] — builds the libFuzzer targets (clang, -fsanitize=fuzzer,
# address,undefined) and runs each for SECONDS (default 60) from a seed corpus of real saved
# models, specs and IDX files. Crashes land in build/fuzz/artifacts/; copy each into
# tests/fuzz/regressions/<target>/ so the test suite replays it forever.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("${@:-model_file idx spec}")
read -r -a targets <<<"${targets[*]}"
out=build/fuzz
mkdir -p "$out/artifacts"
flags=(-std=c++17 -pthread -O1 -g -fno-omit-frame-pointer -Iengine -Ibuild/native/third_party_include -Itests/fuzz)
engine=(engine/gemm.cpp engine/conv.cpp engine/pool.cpp engine/ops.cpp engine/spec.cpp engine/layers.cpp engine/thread_pool.cpp engine/network.cpp
        engine/model_file.cpp engine/idx.cpp engine/train.cpp engine/preprocess.cpp)
[ -d build/native/third_party_include ] || { echo "fuzz: run scripts/build.sh native first"; exit 1; }

if [ ! -x "$out/make_seeds" ] || [ -n "$(find engine tests/fuzz -newer "$out/make_seeds" -name '*.[ch]*' | head -n1)" ]; then
  echo "== fuzz: building (clang++ -fsanitize=fuzzer,address,undefined)"
  clang++ "${flags[@]}" "${engine[@]}" tests/fuzz/make_seeds.cpp -o "$out/make_seeds"
  # the engine once as an object set, then one link per target
  rm -rf "$out/obj" && mkdir -p "$out/obj"
  for src in "${engine[@]}"; do
    clang++ "${flags[@]}" -fsanitize=fuzzer-no-link,address,undefined -c "$src" -o "$out/obj/$(basename "$src" .cpp).o" &
  done
  wait
  for t in model_file idx spec; do
    clang++ "${flags[@]}" -fsanitize=fuzzer,address,undefined "$out"/obj/*.o "tests/fuzz/fuzz_$t.cpp" -o "$out/fuzz_$t"
  done
fi
for t in model_file idx spec; do mkdir -p "$out/seeds/$t" "$out/corpus/$t"; done
"$out/make_seeds" "$out/seeds"

for t in "${targets[@]}"; do
  echo "== fuzz: $t for ${seconds}s"
  log="$out/$t.log"
  saved=()  # crashes found before, once someone saved them (git keeps no empty folder)
  [ -d "tests/fuzz/regressions/$t" ] && saved=("tests/fuzz/regressions/$t")
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    "$out/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" "$out/corpus/$t" "$out/seeds/$t" \
    "${saved[@]}" >"$log" 2>&1 || { echo "fuzz: $t FOUND A CRASH (see $log and $out/artifacts/)"; tail -n 30 "$log"; exit 1; }
  grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|cov:" "$log" | tail -n 4
done
