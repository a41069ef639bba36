#!/usr/bin/env bash
# Installs what ConvLab needs on Debian 12 and skips what is already there.
# Used by run.sh and test.sh; safe to run again. Reaches only Debian's apt repositories and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

step() { printf '\n== setup: %s\n' "$*"; }
fail() { printf '\nsetup FAILED at step "%s": %s\n' "$1" "$2" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

apt_packages=(emscripten node-acorn doctest-dev nlohmann-json3-dev zlib1g-dev dataset-fashion-mnist python3-onnx chromium cmake ninja-build
              ccache clang libclang-rt-14-dev xz-utils fonts-dejavu-core python3-fonttools nodejs npm)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs may come from another repository as a single package that also provides npm
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}"); missing=("${missing[@]/nodejs}")
fi
read -r -a missing <<<"${missing[*]}"

apt_updated=0
apt_update() {
  [ "$apt_updated" = 1 ] && return 0
  $SUDO apt-get update -q >/dev/null || fail "apt-get update" "cannot reach Debian's apt repositories"
  apt_updated=1
}

if [ "${#missing[@]}" -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  apt_update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || fail "apt-get install" "could not install: ${missing[*]}"
else
  step "apt packages present"
fi

# Dear ImGui 1.90.1 from Debian's source package (bookworm only has 1.86). Never committed.
imgui_version=1.90.1
imgui_dir=$root/.cache/imgui-$imgui_version
if [ ! -f "$imgui_dir/imgui.cpp" ]; then
  step "Dear ImGui $imgui_version source (Debian source package, trixie)"
  src_list=/etc/apt/sources.list.d/convlab-trixie-src.sources
  if [ ! -f "$src_list" ]; then
    uris=$(grep -h '^URIs:' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -n1 || true)
    keyring=$(grep -h '^Signed-By:' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1 || true)
    [ -n "$uris" ] || uris="URIs: http://deb.debian.org/debian"
    [ -n "$keyring" ] || keyring="Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    printf 'Types: deb-src\n%s\nSuites: trixie\nComponents: main\n%s\n' "$uris" "$keyring" \
      | $SUDO tee "$src_list" >/dev/null
    apt_updated=0
  fi
  apt_update
  mkdir -p "$root/.cache/imgui-src"
  (cd "$root/.cache/imgui-src" && apt-get source --download-only -q "imgui=$imgui_version+ds-1" >/dev/null) \
    || fail "apt-get source imgui" "could not download imgui=$imgui_version+ds-1 from the deb-src entry $src_list"
  tarball=$(ls "$root"/.cache/imgui-src/imgui_"$imgui_version"+ds.orig.tar.* | head -n1)
  rm -rf "$imgui_dir.tmp" && mkdir -p "$imgui_dir.tmp"
  tar -xf "$tarball" -C "$imgui_dir.tmp" || fail "unpack imgui" "cannot unpack $tarball"
  rm -rf "$imgui_dir" && mv "$imgui_dir.tmp/imgui-$imgui_version" "$imgui_dir" && rm -rf "$imgui_dir.tmp"
  [ -f "$imgui_dir/backends/imgui_impl_glfw.cpp" ] || fail "unpack imgui" "backends/ missing in $tarball"
else
  step "Dear ImGui $imgui_version present"
fi

# npm packages from the committed lock file
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.convlab-lock; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci" "cannot install npm packages from the npm registry"
  cp package-lock.json node_modules/.convlab-lock
else
  step "npm packages present"
fi
step "done"
