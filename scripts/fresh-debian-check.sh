#!/usr/bin/env bash
# Checks the README's promise on a bare Debian 12: debootstraps a minimal bookworm into a folder,
# puts a clean clone of this repository's HEAD in it and runs the test command there as CI does
# (CI=true bash .ci/run) — with the Node.js that Debian 12 ships (18), not whatever this machine has.
# Run by hand, as root, not in CI (about 40 minutes on 2 cores):
#   bash scripts/fresh-debian-check.sh [WORKDIR]      default WORKDIR: /tmp/convlab-fresh-debian
# Exits with the test command's status; its log is WORKDIR/test.log.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/convlab-fresh-debian}
target=$work/root
[ "$(id -u)" = 0 ] || { echo "fresh-debian-check: run as root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q debootstrap >/dev/null; }

# The same Debian mirror as this machine (the only one reachable here).
mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -n1 | awk '{print $2}')
mirror=${mirror:-http://deb.debian.org/debian}

cleanup() {
  for m in dev/shm dev/pts dev sys proc; do mountpoint -q "$target/$m" && umount -l "$target/$m"; done
  return 0
}
trap cleanup EXIT
cleanup
rm -rf "$work" && mkdir -p "$work"
echo "== fresh-debian-check: debootstrap --variant=minbase bookworm ($mirror)"
debootstrap --variant=minbase bookworm "$target" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log"; exit 1; }
# bookworm, its updates and its security updates, as a Debian 12 machine has them
rm -f "$target/etc/apt/sources.list"
printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\nURIs: %s-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
  "$mirror" "$mirror" >"$target/etc/apt/sources.list.d/debian.sources"
cp /etc/resolv.conf "$target/etc/resolv.conf"
# This network's own certificate authorities (a TLS-intercepting egress proxy, say) belong to the
# network, not to Debian: without them npm cannot reach its registry from the chroot.
extra_ca=()
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt "$target/etc/ssl-host-ca-bundle.crt"
  extra_ca=(NODE_EXTRA_CA_CERTS=/etc/ssl-host-ca-bundle.crt npm_config_cafile=/etc/ssl-host-ca-bundle.crt)
fi
git clone -q "$repo" "$target/convlab"
mount -t proc proc "$target/proc"
mount -t sysfs sys "$target/sys"
mount --bind /dev "$target/dev"
mount --bind /dev/pts "$target/dev/pts"
mount -t tmpfs tmpfs "$target/dev/shm"
echo "== fresh-debian-check: CI=true bash .ci/run in the chroot (log: $work/test.log)"
set +e
chroot "$target" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 CI=true "${extra_ca[@]}" bash -c 'cd /convlab && bash .ci/run' >"$work/test.log" 2>&1
status=$?
set -e
chroot "$target" node --version | sed 's/^/node in the chroot: /'
tail -n 8 "$work/test.log"
echo "== fresh-debian-check: exit $status"
exit $status
