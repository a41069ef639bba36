#!/usr/bin/env bash
# bench/run.sh [--soak-minutes N] — every benchmark, one command (also from a clean clone):
# installs what is missing, builds, then prints and saves (build/bench/*.txt):
#   GEMM kernels natively and in node · the end-to-end comparison with TF.js (WASM, CPU), ConvNetJS
#   and ONNX Runtime Web · a 20,000-step memory soak · the page in Chromium (first frame, bytes,
#   fps, a training soak of N minutes, default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
minutes=5
[ "${1:-}" = "--soak-minutes" ] && minutes=${2:?}
bash scripts/setup.sh >/dev/null
bash scripts/build.sh web >/dev/null
mkdir -p build/bench
{ nproc; grep -m1 'model name' /proc/cpuinfo; node --version; } | tee build/bench/machine.txt
# One CPU for the kernel benchmarks, as train_bench.mjs does for every library (less VM noise).
pin=(taskset -c "$(( $(nproc) - 1 ))")
command -v taskset >/dev/null || pin=()
"${pin[@]}" ./build/native/gemm_bench | tee build/bench/gemm_native.txt
"${pin[@]}" node build/wasm/gemm_bench.js | tee build/bench/gemm_wasm.txt
node bench/train_bench.mjs 2>&1 | grep -v '^var Module' | tee build/bench/train_bench.txt
node bench/soak.mjs | tee build/bench/soak.txt
node bench/browser_bench.mjs --soak-minutes "$minutes" | tee build/bench/browser.txt
