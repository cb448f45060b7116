#!/usr/bin/env bash
# Fetch the real `docker-buildx` and `docker-compose` CLI plugins for the differential tests
# (test/realtools/, test/support/realtools.ts), from Debian unstable (sid), without touching the
# system's package state.
#
# What it does
#   1. If .tools/bin/docker-buildx and .tools/bin/docker-compose already exist and run, reuse them
#      (no apt at all). FORCE=1 (or --force) fetches again.
#   2. Builds a private apt configuration under .tools/apt/: own sources list, own state, lists, cache,
#      log and an empty dpkg status file; the host's apt.conf.d, preferences and sources.list.d are NOT read
#      (so none of the host's update hooks run and nothing under /var/lib/apt, /var/cache/apt or
#      /var/lib/dpkg is written). The mirror is the one already configured on this machine (read from
#      /etc/apt/sources.list and /etc/apt/sources.list.d/*.{list,sources}); no host name is written here.
#      DEBIAN_MIRROR=<uri> overrides it.
#   3. `apt-get update` (sid/main only), `apt-get download docker-buildx docker-compose` into
#      .tools/cache/ (kept), `dpkg -x` into .tools/extract/ (removed afterwards), copies the binaries to
#      .tools/bin/.
#   4. Creates .tools/docker-config/cli-plugins/{docker-buildx,docker-compose} symlinks, so that
#      `DOCKER_CONFIG=.tools/docker-config docker-compose …` finds buildx as a plugin (compose looks
#      for buildx in $DOCKER_CONFIG/cli-plugins and the system plugin dirs; it does not look in PATH).
#   5. Prints `docker-buildx version` and `docker-compose version`.
#
# Signatures: the sources entry uses `signed-by=` with the machine's Debian archive keyring
# (/usr/share/keyrings/debian-archive-keyring.gpg from debian-archive-keyring 2023.3+deb12u2 on bookworm).
# sid's InRelease is signed both with the 12/bookworm and the 13/trixie automatic signing keys, and that
# keyring holds both, so it validates sid as is: verification stays fully on. If a later sid is signed only
# by keys this keyring lacks, apt fails with NO_PUBKEY and this script stops; the safe fix then is to
# `apt-get download debian-archive-keyring` from the configured stable suite (with this same private
# config, verified by the current keyring) and point KEYRING= at the newer keyring it contains.
#
# Host settings carried over: the host's apt configuration decides how this machine reaches its mirror.
# Here it sets Acquire::Check-Valid-Until "false" because the mirror serves a frozen snapshot whose
# Release files are past their Valid-Until date (without it: "Release file … is expired"). So the
# Acquire::Check-Valid-Until, Acquire::Check-Date and Acquire::http(s)/ftp settings of the host
# configuration are copied into the private one. Signature checking is not affected by these.
#
# Environment: FORCE=1 refetch; DEBIAN_MIRROR=<uri> use that mirror; KEYRING=<file> use that keyring;
# SUITE=<suite> (default sid).
set -euo pipefail

die() {
  echo "fetch-docker-tools: error: $*" >&2
  exit 1
}
note() { echo "fetch-docker-tools: $*" >&2; }

for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $arg" ;;
  esac
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$repo/.tools"
bin="$tools/bin"
docker_config="$tools/docker-config"
suite="${SUITE:-sid}"
keyring="${KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"
packages=(docker-buildx docker-compose)

# The plugins talk to no engine for `version`; keep them away from any docker config of the user.
run_plugin() {
  DOCKER_CONFIG="$docker_config" "$@"
}

make_docker_config() {
  mkdir -p "$docker_config/cli-plugins"
  ln -sfn ../../bin/docker-buildx "$docker_config/cli-plugins/docker-buildx"
  ln -sfn ../../bin/docker-compose "$docker_config/cli-plugins/docker-compose"
  # An empty config.json: no proxies (compose would add proxy build args from it), no credential helpers.
  [[ -f "$docker_config/config.json" ]] || echo '{}' >"$docker_config/config.json"
}

print_versions() {
  local bx dc
  bx="$(run_plugin "$bin/docker-buildx" version 2>&1)" || die "$bin/docker-buildx does not run: $bx"
  dc="$(run_plugin "$bin/docker-compose" version 2>&1)" || die "$bin/docker-compose does not run: $dc"
  echo "docker-buildx:  $bx"
  echo "docker-compose: $dc"
}

tools_work() {
  [[ -x "$bin/docker-buildx" && -x "$bin/docker-compose" ]] || return 1
  run_plugin "$bin/docker-buildx" version >/dev/null 2>&1 || return 1
  run_plugin "$bin/docker-compose" version >/dev/null 2>&1 || return 1
}

if [[ "${FORCE:-0}" != 1 ]] && tools_work; then
  make_docker_config
  note "reusing $bin (FORCE=1 to fetch again)"
  print_versions
  exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found: this script needs a Debian-based machine"
command -v dpkg >/dev/null || die "dpkg not found"
[[ -r "$keyring" ]] || die "keyring $keyring not readable (install debian-archive-keyring or set KEYRING=)"

# --- 1. the mirror configured on this machine -------------------------------------------------------
# shellcheck source=test/tools/private-apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"
mirror="${DEBIAN_MIRROR:-$(find_mirror || true)}"
[[ -n "$mirror" ]] || die "no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/ (set DEBIAN_MIRROR=<uri>)"
note "mirror ${DEBIAN_MIRROR:+(from DEBIAN_MIRROR) }$mirror, suite $suite, component main, keyring $keyring"

# --- 2. private apt configuration, update and download (test/tools/private-apt.sh) -----------------------
apt_root="$tools/apt"
private_apt_setup "$apt_root" "$keyring" "$mirror" "$suite"
note "apt-get update (private state in $apt_root)"
private_apt_update "$apt_root"
cache="$tools/cache"
note "apt-get download ${packages[*]} into $cache"
private_apt_download "$apt_root" "$cache" "${packages[@]}"

# --- 4. unpack and install into .tools/bin -------------------------------------------------------------
extract="$tools/extract"
rm -rf "$extract"
mkdir -p "$extract" "$bin"
trap 'rm -rf "$extract"' EXIT
for pkg in "${packages[@]}"; do
  debs=("$cache/${pkg}_"*.deb)
  [[ -f "${debs[0]}" ]] || die "apt-get download did not produce ${pkg}_*.deb in $cache"
  dpkg-deb --info "${debs[0]}" >/dev/null || die "${debs[0]} is not a valid .deb"
  dpkg -x "${debs[0]}" "$extract/$pkg" || die "dpkg -x ${debs[0]} failed"
  # Debian installs the plugins as /usr/libexec/docker/cli-plugins/<name>.
  found="$(find "$extract/$pkg" -path '*/cli-plugins/*' -name "$pkg" \( -type f -o -type l \) | head -n 1)"
  [[ -n "$found" ]] || die "no cli-plugins/$pkg in ${debs[0]}"
  install -m 0755 "$(readlink -f "$found")" "$bin/$pkg.new"
  mv -f "$bin/$pkg.new" "$bin/$pkg"
  basename "${debs[0]}" >"$bin/$pkg.deb"
done

make_docker_config
tools_work || die "the downloaded binaries do not run on this machine: $(run_plugin "$bin/docker-buildx" version 2>&1; run_plugin "$bin/docker-compose" version 2>&1)"
note "installed into $bin"
print_versions
