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

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
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
# Picks the first enabled `deb` entry whose suites include this machine's own release (its codename,
# or stable/testing/unstable/sid), so security and third-party repositories are never chosen.
codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
find_mirror() {
  local files=()
  [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
  local f
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] && files+=("$f")
  done
  ((${#files[@]})) || return 1
  awk -v codename="$codename" '
    function wanted(suites,   n, i, s, parts) {
      n = split(suites, parts, /[ \t]+/)
      for (i = 1; i <= n; i++) {
        s = parts[i]
        if (s == "") continue
        if ((codename != "" && s == codename) || s == "stable" || s == "testing" || s == "unstable" || s == "sid") return 1
      }
      return 0
    }
    function flush() {
      if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled !~ /^[ \t]*(no|false|0)[ \t]*$/ && wanted(suites) && uris != "") {
        split(uris, u, /[ \t]+/); print u[1]; found = 1; exit
      }
      types = ""; uris = ""; suites = ""; enabled = ""
    }
    FNR == 1 { if (deb822) flush(); deb822 = (FILENAME ~ /\.sources$/) }
    deb822 {
      if ($0 ~ /^[ \t]*#/) next
      if ($0 ~ /^[ \t]*$/) { flush(); next }
      if (match($0, /^[A-Za-z-]+:/)) {
        key = tolower(substr($0, 1, RLENGTH - 1)); val = substr($0, RLENGTH + 1)
        gsub(/^[ \t]+|[ \t]+$/, "", val)
        if (key == "types") types = val; else if (key == "uris") uris = val
        else if (key == "suites") suites = val; else if (key == "enabled") enabled = val
      }
      next
    }
    {
      # one-line format: deb [options] uri suite component...
      line = $0; sub(/#.*/, "", line)
      n = split(line, w, /[ \t]+/); i = 1
      while (i <= n && w[i] == "") i++
      if (w[i] != "deb") next
      i++
      if (w[i] ~ /^\[/) { while (i <= n && w[i] !~ /\]$/) i++; i++ }
      if (i + 1 <= n && wanted(w[i + 1])) { print w[i]; found = 1; exit }
    }
    END { if (!found && deb822) flush() }
  ' "${files[@]}"
}
mirror="${DEBIAN_MIRROR:-$(find_mirror || true)}"
[[ -n "$mirror" ]] || die "no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/ (set DEBIAN_MIRROR=<uri>)"
note "mirror ${DEBIAN_MIRROR:+(from DEBIAN_MIRROR) }$mirror, suite $suite, component main, keyring $keyring"

# --- 2. private apt configuration ----------------------------------------------------------------------
apt_root="$tools/apt"
rm -rf "$apt_root/empty"
mkdir -p "$apt_root/empty" "$apt_root/state/lists/partial" "$apt_root/cache/archives/partial" "$apt_root/log"
: >"$apt_root/status" # an empty dpkg status: apt sees no installed packages, and never reads /var/lib/dpkg
printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" >"$apt_root/sources.list"

# Settings that decide how this machine reaches its mirror, taken from the host configuration
# (see the header). Only Acquire:: keys about validity dates and transports; nothing else.
host_acquire="$(apt-config dump 2>/dev/null | grep -E '^Acquire::(Check-Valid-Until|Check-Date|Max-ValidTime|Retries|ForceIPv[46]|https?|ftp)(::| )' || true)"

apt_conf="$apt_root/apt.conf"
rm -f "$apt_conf" && (umask 077 && : >"$apt_conf") # it may hold the host's proxy settings
cat >"$apt_conf" <<EOF
// Generated by scripts/fetch-docker-tools.sh: a private apt configuration (see that script).
// Read through APT_CONFIG, which apt reads before Dir::Etc::parts, so pointing parts at an empty
// directory keeps the host's apt.conf.d (and its hooks) out.
Dir::Etc::main "/dev/null";
Dir::Etc::parts "$apt_root/empty";
Dir::Etc::sourcelist "$apt_root/sources.list";
Dir::Etc::sourceparts "$apt_root/empty";
Dir::Etc::preferences "/dev/null";
Dir::Etc::preferencesparts "$apt_root/empty";
Dir::Etc::trusted "/dev/null";
Dir::Etc::trustedparts "$apt_root/empty";
Dir::State "$apt_root/state";
Dir::State::lists "$apt_root/state/lists";
Dir::State::status "$apt_root/status";
Dir::State::extended_states "$apt_root/state/extended_states";
Dir::Cache "$apt_root/cache";
Dir::Cache::archives "$apt_root/cache/archives";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Dir::Log "$apt_root/log";
Acquire::Languages "none";
Acquire::AllowInsecureRepositories "false";
Acquire::AllowDowngradeToInsecureRepositories "false";
APT::Get::AllowUnauthenticated "false";
// From the host configuration:
$host_acquire
EOF

apt_private() {
  APT_CONFIG="$apt_conf" apt-get -q "$@"
}

# --- 3. update and download ---------------------------------------------------------------------------
note "apt-get update (private state in $apt_root)"
update_log="$apt_root/log/update.out"
if ! apt_private update >"$update_log" 2>&1; then
  cat "$update_log" >&2
  die "apt-get update failed (see above)"
fi
# apt-get update exits 0 on some failures (e.g. a list it could not fetch); it reports them as W:/E:.
if grep -E '^(E:|W: (GPG|The repository|Failed|Some index))' "$update_log" >&2; then
  die "apt-get update reported problems with $mirror $suite (see above)"
fi

cache="$tools/cache"
rm -rf "$cache"
mkdir -p "$cache"
note "apt-get download ${packages[*]} into $cache"
# apt drops privileges to _apt while downloading; let it write into the cache folder.
if id _apt >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then chown _apt "$cache"; fi
(cd "$cache" && apt_private download "${packages[@]}") >"$apt_root/log/download.out" 2>&1 || {
  cat "$apt_root/log/download.out" >&2
  die "apt-get download ${packages[*]} failed (see above)"
}

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
