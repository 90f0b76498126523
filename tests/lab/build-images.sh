#!/usr/bin/env bash
# Build the lab's local images without any image registry:
#   fastapi-ops-lab/debian:12, :13   bare systemd hosts (debootstrap + docker import)
#   fastapi-ops-lab/services:12       a systemd host with BIND, Pebble, curl,
#                                     openssl and load generators (hey, wrk,
#                                     h2load), for the DNS, ACME and client roles
# Each image carries the hash of its recipe as a label and is rebuilt only when
# the recipe (package list, build revision, extra CA certificates, and for the
# services image the base image it starts from) changes.
#
# Environment:
#   LAB_RELEASES      Debian releases to build targets for (default "12 13")
#   LAB_EXTRA_CA_DIR  extra CA certificates copied into the images, for hosts
#                     behind a TLS-inspecting proxy (default
#                     /usr/local/share/ca-certificates; "" disables)
#   LAB_FORCE=1       rebuild even when the recipe is unchanged
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
releases=${LAB_RELEASES:-12 13}
ca_dir=${LAB_EXTRA_CA_DIR-/usr/local/share/ca-certificates}
prefix=fastapi-ops-lab
label=org.fastapi-ops.lab.recipe
base_packages=systemd,systemd-sysv,python3,sudo,ca-certificates,iproute2
service_packages="bind9 bind9-utils bind9-dnsutils pebble openssl curl hey wrk nghttp2-client"
# Bump a recipe's revision when its build steps below change.
base_revision=1
services_revision=1

log() { printf 'lab: %s\n' "$*" >&2; }

codename() {
  case "$1" in
    12) echo bookworm ;;
    13) echo trixie ;;
    *) log "unknown Debian release $1 (known: 12, 13)"; exit 1 ;;
  esac
}

ca_files() {
  [ -n "$ca_dir" ] && [ -d "$ca_dir" ] && find "$ca_dir" -type f -name '*.crt' | sort
}

recipe_hash() {  # $1 = image kind, $2 = release
  {
    echo "$1 $2 $base_packages $base_revision"
    ca_files | while read -r f; do sha256sum "$f"; done
    if [ "$1" = services ]; then
      echo "$service_packages $services_revision"
      current_hash "$prefix/debian:$2"
    fi
  } | sha256sum | cut -c1-16
}

current_hash() {
  docker image inspect -f "{{ index .Config.Labels \"$label\" }}" "$1" 2>/dev/null || true
}

build_base() {  # $1 = release
  local image="$prefix/debian:$1" want rootfs
  want=$(recipe_hash base "$1")
  if [ "$(current_hash "$image")" = "$want" ] && [ -z "${LAB_FORCE:-}" ]; then
    log "$image is up to date ($want)"
    return
  fi
  command -v debootstrap >/dev/null 2>&1 || {
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  }
  rootfs=$(mktemp -d /var/tmp/fastapi-ops-lab-rootfs.XXXXXX)
  log "debootstrap $(codename "$1") into $rootfs"
  debootstrap --variant=minbase --include="$base_packages" "$(codename "$1")" "$rootfs" >"$rootfs.log" 2>&1 || {
    tail -20 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
  rm -f "$rootfs.log"
  if [ -n "$(ca_files)" ]; then
    log "adding extra CA certificates from $ca_dir"
    cp "$ca_dir"/*.crt "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
  fi
  # A container has no kernel console or hardware clock to wait for.
  for unit in getty.target console-getty.service systemd-firstboot.service \
              systemd-udevd.service systemd-modules-load.service \
              sys-kernel-config.mount sys-kernel-debug.mount; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
  done
  rm -f "$rootfs"/etc/machine-id && touch "$rootfs"/etc/machine-id
  chroot "$rootfs" apt-get clean
  tar -C "$rootfs" -c . | docker import \
    --change 'CMD ["/lib/systemd/systemd"]' \
    --change "LABEL $label=$want" - "$image" >/dev/null
  rm -rf "$rootfs"
  log "built $image ($want)"
}

build_services() {
  local image="$prefix/services:12" want cid
  want=$(recipe_hash services 12)
  if [ "$(current_hash "$image")" = "$want" ] && [ -z "${LAB_FORCE:-}" ]; then
    log "$image is up to date ($want)"
    return
  fi
  log "building $image from $prefix/debian:12"
  # The base image has no entrypoint, so the command replaces its CMD and the
  # committed image gets systemd back as CMD.
  cid=$(docker create "$prefix/debian:12" /bin/sh -c \
    "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $service_packages >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*")
  docker start -a "$cid"
  docker commit \
    --change 'CMD ["/lib/systemd/systemd"]' \
    --change "LABEL $label=$want" "$cid" "$image" >/dev/null
  docker rm "$cid" >/dev/null
  log "built $image ($want)"
}

"$here/docker-engine.sh"
for release in $releases; do
  build_base "$release"
done
case " $releases " in
  *" 12 "*) build_services ;;
esac
