#!/usr/bin/env bash
# scripts/build.sh [native|asan|wasm|web|all] — one CMake project, built natively (g++) and to WASM (em++).
#   native: engine, doctest suite, CLI build/native/convlab, MNIST IDX files, the default models (MNIST, Fashion-MNIST)
#   asan:   the doctest suite under AddressSanitizer + UndefinedBehaviorSanitizer (build/asan)
#   wasm:   build/wasm/convlab_engine.{js,wasm}, the doctest suite for node, the page's app
#   web:    build/web/ — everything the page serves
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs  # emcc needs Debian's acorn
target=${1:-all}
case "$target" in native|asan|wasm|web|all) ;; *) echo "usage: scripts/build.sh [native|asan|wasm|web|all]" >&2; exit 2;; esac

build_native() {
  echo "== build: native"
  cmake -S . -B build/native -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/native
}

build_asan() {
  echo "== build: asan"
  # -O1: a cold build in 150 s instead of 250 s at -O2, and the suite runs as fast (~36 s)
  cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DCONVLAB_SANITIZE=ON >/dev/null
  cmake --build build/asan --target convlab_tests
}

build_wasm() {
  echo "== build: wasm"
  if [ ! -f build/wasm/build.ninja ]; then
    emcmake cmake -S . -B build/wasm -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node >/dev/null
  fi
  cmake --build build/wasm
}

assemble_web() {
  echo "== build: web → build/web/"
  rm -rf build/web.tmp && mkdir -p build/web.tmp
  # The page's module and the threaded trainer's, which a cross-origin isolated page's trainer
  # worker runs (else it runs the page's module).
  cp index.html web/host.js web/trainer_worker.js build/wasm/convlab_app.js build/wasm/convlab_app.wasm \
    build/wasm/convlab_trainer_mt.js build/wasm/convlab_trainer_mt.wasm build/wasm/convlab_trainer_mt.worker.js build/web.tmp/
  cp build/native/default.clmodel build/native/fashion.clmodel build/web.tmp/
  # Each data set as one gzip asset: u32 count, u32 sizes, then the four IDX files and a
  # description (parsed by web/app/datasets.cpp). Fashion-MNIST: the first 12,000 / 2,000 (6 MB,
  # downloaded only when picked) of Debian's 60,000 / 10,000.
  node scripts/bundle_interop.mjs build/web.tmp/interop.bundle.js  # loaded by the page on demand
  node scripts/pack_assets.mjs build/data build/web.tmp/mnist.bin.gz
  node scripts/pack_assets.mjs /usr/share/datasets/fashion-mnist build/web.tmp/fashion.bin.gz --name Fashion-MNIST \
    --classes "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot" --preprocess fill \
    --train 12000 --test 2000
  rm -rf build/web && mv build/web.tmp build/web
  du -b build/web/* | sort -n
}

case "$target" in
  native) build_native ;;
  asan) build_asan ;;
  wasm) build_wasm ;;
  web) build_native; build_wasm; assemble_web ;;
  all) build_native; build_asan; build_wasm; assemble_web ;;
esac
