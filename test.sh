#!/usr/bin/env bash
# ConvLab's test command: installs what is missing, builds everything, runs every test suite
# (doctest natively, under ASan + UBSan and under node, node tests of the WASM API, browser
# end-to-end tests) and
# ends with one line "N passed, M failed". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
export NODE_PATH=/usr/share/nodejs

bash scripts/setup.sh || exit 1
bash scripts/build.sh all || { echo "test: the build failed"; exit 1; }

passed=0
failed=0
summary=()
log_dir=build/test-logs
mkdir -p "$log_dir"

# ctest: "100% tests passed, 0 tests failed out of 36"
count_ctest() {
  local log=$1 line total bad
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n1)
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$line")
  echo "${total:-0} ${bad:-0}"
}
# node --test: "# pass N" and "# fail M"
count_node() {
  local log=$1 p f
  p=$(grep -E '^# pass [0-9]+' "$log" | tail -n1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$log" | tail -n1 | awk '{print $3}')
  echo "$(( ${p:-0} + ${f:-0} )) ${f:-0}"
}

suite() {  # suite NAME COUNTER COMMAND...
  local name=$1 counter=$2
  shift 2
  local log="$log_dir/$name.log" start=$SECONDS
  echo
  echo "== test: $name"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  read -r total bad < <($counter "$log")
  if [ "$rc" != 0 ] && [ "$bad" = 0 ]; then bad=1; total=$((total + 1)); fi  # a crash counts
  if [ "$total" = 0 ]; then bad=1; total=1; fi                                # so does running nothing
  passed=$((passed + total - bad))
  failed=$((failed + bad))
  summary+=("$(printf '%-18s %4d passed, %d failed  (%ds)' "$name" $((total - bad)) "$bad" $((SECONDS - start)))")
}

suite native-doctest count_ctest ctest --test-dir build/native --output-on-failure -j2
suite asan-ubsan count_ctest env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j2
suite wasm-doctest count_ctest ctest --test-dir build/wasm --output-on-failure -j2
suite node-api count_node node --test tests/node/
suite browser count_node node --test --test-concurrency=1 tests/e2e/

echo
echo "== summary (logs in $log_dir/, screenshots in build/test-artifacts/)"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
