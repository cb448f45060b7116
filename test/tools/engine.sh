#!/usr/bin/env bash
# A private Docker engine for the end-to-end tests (test/e2e/, jest.e2e.config.js): dockerd with its
# built-in BuildKit, from Debian's packages, unpacked into .tools/engine/ (git-ignored), never installed.
#
# Usage: test/tools/engine.sh fetch|start|stop|status|env
#   fetch   download and unpack the packages (idempotent; FORCE=1 fetches again); also runs
#           test/tools/fetch-docker-tools.sh when the buildx/compose plugins are missing
#   start   fetch, start dockerd, wait until `docker version` answers, print the environment to use:
#             export DOCKER_HOST='unix:///tmp/c2b-engine.XXXXXX/docker.sock'
#             export DOCKER_CONFIG='<repo>/.tools/engine/docker-config'   (cli-plugins: buildx, compose)
#             export PATH='<repo>/.tools/engine/bin':"$PATH"              (the docker CLI matching the engine)
#           so `eval "$(test/tools/engine.sh start)"` sets up a shell. Logs go to stderr. When this script's
#           engine is already running it prints the same and starts nothing.
#   stop    stop the engine this script started (by the PID it recorded), wait for it, end what is left of
#           its containerd/shims (by PID, only binaries from .tools/engine/root), unmount what it left
#           mounted, remove its run folder, the /run/{containerd,docker,runc} folders and the `docker`
#           cgroups only if they did not exist before it started. Safe to call twice (and when nothing runs).
#   status  exit 0 and print the PID and environment when running; exit 3 when not
#   env     print the environment (as start does) of the running engine; exit 3 when not running
#
# What it runs: `dockerd --data-root D --exec-root E -H unix://SOCK --pidfile P --storage-driver overlay2
#   --exec-opt native.cgroupdriver=cgroupfs --iptables=false --ip6tables=false --ip-forward=false
#   --userland-proxy=false --bridge=none` with the unpacked binaries first on PATH, inside a network namespace
#   of its own (`unshare --net`: only a loopback interface that is down), so neither the engine nor any build
#   step can send a packet anywhere; clients reach it through the unix socket only. Builds therefore cannot
#   pull: they must use images made locally (test/e2e makes one with `docker import`) and `network: none`.
#   ENGINE_HOST_NETWORK=1 runs it in the host's network namespace instead (still --bridge=none).
#
# Packages (Debian, fetched with a private apt configuration like test/tools/fetch-docker-tools.sh's: own
# sources list, state, cache and an empty dpkg status; the host's apt.conf.d, preferences and sources are not
# read; the mirror is the one this machine is configured with; signatures checked with the machine's
# keyring):
#   from sid:                       docker.io (dockerd), docker-cli (docker), containerd (+ shim)
#   from this machine's own suite:  runc (sid's needs a newer glibc than Debian 12's), busybox-static
#                                   (the e2e tests' base image)
# Layout under .tools/engine/: apt/ (private apt), debs/ (downloaded .debs, kept), root/ (`dpkg -x` of all),
# bin/docker (symlink to the CLI), docker-config/ (private DOCKER_CONFIG), data/ (the data root, kept
# between runs; ENGINE_DATA=<dir> to put it elsewhere), state/ (engine.state, dockerd.log). The exec root,
# socket and pidfile live in a short temporary folder /tmp/c2b-engine.XXXXXX (unix socket paths are limited
# to 108 bytes), recorded in state/engine.state.
#
# It refuses to start when a dockerd it did not start is running, and never signals a process other than the
# one it recorded (checked by executable path and start time) and leftovers whose executable is under
# .tools/engine/root/.
#
# Environment: FORCE=1 refetch; DEBIAN_MIRROR=<uri>; KEYRING=<file>; ENGINE_STABLE_SUITE=<suite> (default:
# this machine's codename); ENGINE_DATA=<dir>; ENGINE_HOST_NETWORK=1; ENGINE_START_TIMEOUT=<seconds> (30).
set -euo pipefail

die() {
  echo "engine: error: $*" >&2
  exit 1
}
note() { echo "engine: $*" >&2; }

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$repo/.tools"
engine="$tools/engine"
root="$engine/root"
debs="$engine/debs"
apt_root="$engine/apt"
state_dir="$engine/state"
state_file="$state_dir/engine.state"
log_file="$state_dir/dockerd.log"
docker_config="$engine/docker-config"
client_bin="$engine/bin"
data_root="${ENGINE_DATA:-$engine/data}"
keyring="${KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"
codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
stable_suite="${ENGINE_STABLE_SUITE:-$codename}"
dockerd_bin="$root/usr/sbin/dockerd"
docker_cli="$root/usr/bin/docker"
# Folders dockerd, containerd and runc create outside their configured roots.
run_dirs=(/run/containerd /run/docker /run/runc)

sid_packages=(docker.io docker-cli containerd)
stable_packages=(runc busybox-static)

# -------------------------------------------------------------------------------------------------------
# fetch
# -------------------------------------------------------------------------------------------------------

binaries_work() {
  [[ -f "$root/.complete" ]] || return 1
  "$dockerd_bin" --version >/dev/null 2>&1 || return 1
  "$docker_cli" --version >/dev/null 2>&1 || return 1
  "$root/usr/bin/containerd" --version >/dev/null 2>&1 || return 1
  "$root/usr/sbin/runc" --version >/dev/null 2>&1 || return 1
  [[ -x "$root/bin/busybox" ]] || return 1
}

# shellcheck source=test/tools/private-apt.sh
. "$repo/test/tools/private-apt.sh"

fetch_packages() {
  command -v apt-get >/dev/null || die "apt-get not found: this script needs a Debian-based machine"
  [[ -n "$stable_suite" ]] || die "cannot tell this machine's Debian codename (set ENGINE_STABLE_SUITE=)"
  [[ -r "$keyring" ]] || die "keyring $keyring not readable (install debian-archive-keyring or set KEYRING=)"
  local mirror="${DEBIAN_MIRROR:-$(find_mirror || true)}"
  [[ -n "$mirror" ]] || die "no Debian mirror configured on this machine (set DEBIAN_MIRROR=<uri>)"
  note "mirror $mirror; sid: ${sid_packages[*]}; $stable_suite: ${stable_packages[*]}"
  private_apt_setup "$apt_root" "$keyring" "$mirror" sid "$stable_suite"
  private_apt_update "$apt_root"
  local wanted=() p
  for p in "${sid_packages[@]}"; do wanted+=("$p/sid"); done
  for p in "${stable_packages[@]}"; do wanted+=("$p/$stable_suite"); done
  private_apt_download "$apt_root" "$debs" "${wanted[@]}"
  rm -rf "$root.new"
  mkdir -p "$root.new"
  for p in "${sid_packages[@]}" "${stable_packages[@]}"; do
    local deb=("$debs/${p}_"*.deb)
    [[ -f "${deb[0]}" ]] || die "apt-get download did not produce ${p}_*.deb"
    dpkg -x "${deb[0]}" "$root.new" || die "dpkg -x ${deb[0]} failed"
    basename "${deb[0]}" >>"$root.new/.complete"
  done
  rm -rf "$root"
  mv "$root.new" "$root"
}

make_client_dirs() {
  # The buildx and compose plugins come from test/tools/fetch-docker-tools.sh (.tools/bin).
  if ! [[ -x "$tools/bin/docker-buildx" && -x "$tools/bin/docker-compose" ]]; then
    note "buildx/compose plugins missing: running test/tools/fetch-docker-tools.sh"
    bash "$repo/test/tools/fetch-docker-tools.sh" >&2
  fi
  mkdir -p "$docker_config/cli-plugins" "$client_bin"
  ln -sfn ../../../bin/docker-buildx "$docker_config/cli-plugins/docker-buildx"
  ln -sfn ../../../bin/docker-compose "$docker_config/cli-plugins/docker-compose"
  # No proxies, no credential helpers, no auths.
  [[ -f "$docker_config/config.json" ]] || echo '{}' >"$docker_config/config.json"
  ln -sfn ../root/usr/bin/docker "$client_bin/docker"
}

cmd_fetch() {
  if [[ "${FORCE:-0}" != 1 ]] && binaries_work; then
    note "reusing $root (FORCE=1 to fetch again)"
  else
    fetch_packages
    binaries_work || die "the unpacked binaries do not run on this machine"
    note "unpacked into $root"
  fi
  make_client_dirs
  note "$("$dockerd_bin" --version); containerd $("$root/usr/bin/containerd" --version | awk '{print $3}'); runc $("$root/usr/sbin/runc" --version | awk 'NR==1{print $3}')"
}

# -------------------------------------------------------------------------------------------------------
# state
# -------------------------------------------------------------------------------------------------------

# Field 22 of /proc/PID/stat: the start time in clock ticks since boot (the command name, field 2, may hold
# spaces, so count from the closing parenthesis).
start_time() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  awk '{print $20}' <<<"$stat"
}

# Reads state/engine.state into PID, START_TIME, RUN_DIR, DATA_ROOT, CREATED (space-separated paths).
read_state() {
  PID="" START_TIME="" RUN_DIR="" DATA_ROOT="" CREATED=""
  [[ -f "$state_file" ]] || return 1
  local key value
  while IFS='=' read -r key value; do
    case "$key" in
      PID) PID="$value" ;;
      START_TIME) START_TIME="$value" ;;
      RUN_DIR) RUN_DIR="$value" ;;
      DATA_ROOT) DATA_ROOT="$value" ;;
      CREATED) CREATED="$value" ;;
    esac
  done <"$state_file"
  return 0
}

write_state() {
  mkdir -p "$state_dir"
  printf 'PID=%s\nSTART_TIME=%s\nRUN_DIR=%s\nDATA_ROOT=%s\nCREATED=%s\n' \
    "$PID" "$START_TIME" "$RUN_DIR" "$DATA_ROOT" "$CREATED" >"$state_file.tmp"
  mv -f "$state_file.tmp" "$state_file"
}

# A process that exists and is not a zombie (this sandbox's init may be slow to reap orphans).
alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# Is PID the dockerd this script started? Same executable, same start time, and our own pidfile on its
# command line.
is_ours() {
  local pid="$1"
  [[ -n "$pid" ]] && alive "$pid" || return 1
  [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$dockerd_bin" ]] || return 1
  [[ "$(start_time "$pid")" == "$START_TIME" ]] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$RUN_DIR/dockerd.pid"
}

running() {
  read_state && is_ours "$PID"
}

print_env() {
  printf "export DOCKER_HOST='unix://%s/docker.sock'\n" "$RUN_DIR"
  printf "export DOCKER_CONFIG='%s'\n" "$docker_config"
  printf "export PATH='%s':\"\$PATH\"\n" "$client_bin"
}

docker_answers() {
  DOCKER_HOST="unix://$RUN_DIR/docker.sock" DOCKER_CONFIG="$docker_config" "$docker_cli" version \
    --format '{{.Server.Version}}' >/dev/null 2>&1
}

# PIDs of running processes left by our engine: executable under .tools/engine/root (containerd, shims, runc)
# and our run folder or data root on the command line. dockerd itself is only ever signalled by cmd_stop.
our_processes() {
  [[ -n "$RUN_DIR" ]] || return 0
  local link p cmdline
  # One `find` over /proc (a fork per process is slow on a loaded machine).
  while IFS= read -r link; do
    p="${link#/proc/}"
    p="${p%/exe}"
    [[ "$(readlink "$link" 2>/dev/null)" != "$dockerd_bin" ]] || continue
    alive "$p" || continue
    cmdline="$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" || continue
    if [[ "$cmdline" == *"$RUN_DIR/"* || (-n "$DATA_ROOT" && "$cmdline" == *"$DATA_ROOT/"*) ]]; then
      echo "$p"
    fi
  done < <(find /proc/[0-9]*/exe -maxdepth 0 -lname "$root/*" 2>/dev/null)
  return 0
}

# Mount points under the given folders, deepest first.
mounts_under() {
  local dir
  for dir in "$@"; do
    [[ -n "$dir" ]] || continue
    awk -v d="$dir" '{ m = $5; gsub(/\\040/, " ", m); if (m == d || index(m, d "/") == 1) print length(m) "\t" m }' /proc/self/mountinfo
  done | sort -rn | cut -f2- | uniq
}

# -------------------------------------------------------------------------------------------------------
# start
# -------------------------------------------------------------------------------------------------------

foreign_dockerd() {
  local link p exe
  while IFS= read -r link; do
    p="${link#/proc/}"
    p="${p%/exe}"
    exe="$(readlink "$link" 2>/dev/null)" || continue
    if [[ "$exe" != "$dockerd_bin" ]] || ! is_ours "$p"; then
      echo "$p ($exe)"
    fi
  done < <(find /proc/[0-9]*/exe -maxdepth 0 -lname '*/dockerd' 2>/dev/null)
  return 0
}

cmd_start() {
  if read_state; then
    if is_ours "$PID"; then
      if docker_answers; then
        note "already running (pid $PID)"
        print_env
        return 0
      fi
      die "dockerd (pid $PID) runs but does not answer on $RUN_DIR/docker.sock; run: test/tools/engine.sh stop"
    fi
    note "cleaning up after an engine that is no longer running (pid $PID)"
    cleanup
  fi
  cmd_fetch
  local others
  others="$(foreign_dockerd)"
  [[ -z "$others" ]] || die "a dockerd this script did not start is running: $others; not starting a second one"
  command -v unshare >/dev/null || [[ "${ENGINE_HOST_NETWORK:-0}" == 1 ]] || die "unshare (util-linux) not found; ENGINE_HOST_NETWORK=1 to run without a network namespace"

  # What exists before we start is never removed by stop.
  # dockerd with the cgroupfs driver puts containers and BuildKit's steps under a `docker` cgroup at the top
  # of every hierarchy.
  local created=() d
  for d in "${run_dirs[@]}"; do [[ -e "$d" ]] || created+=("$d"); done
  while IFS= read -r d; do
    [[ -n "$d" && ! -e "$d/docker" ]] && created+=("$d/docker")
  done < <(findmnt -rn -t cgroup,cgroup2 -o TARGET 2>/dev/null | sort -u)

  mkdir -p "$state_dir" "$data_root"
  RUN_DIR="$(mktemp -d /tmp/c2b-engine.XXXXXX)"
  DATA_ROOT="$(cd "$data_root" && pwd)"
  CREATED="${created[*]}"
  PID="" START_TIME=""
  write_state # before launching, so that a failed start can still be cleaned up

  local netns=(unshare --net --)
  [[ "${ENGINE_HOST_NETWORK:-0}" == 1 ]] && netns=()
  note "starting dockerd (data root $DATA_ROOT, run folder $RUN_DIR, log $log_file)"
  # setsid: not in our process group, so a Ctrl-C in the calling terminal does not reach it. unshare and env
  # exec, so $! is dockerd's PID. No descriptor of ours is inherited (callers may wait for our pipes to close).
  (
    cd /
    exec setsid "${netns[@]}" env PATH="$root/usr/sbin:$root/usr/bin:$PATH" \
      "$dockerd_bin" \
      --data-root "$DATA_ROOT" \
      --exec-root "$RUN_DIR/exec" \
      -H "unix://$RUN_DIR/docker.sock" \
      --pidfile "$RUN_DIR/dockerd.pid" \
      --storage-driver overlay2 \
      --exec-opt native.cgroupdriver=cgroupfs \
      --iptables=false --ip6tables=false --ip-forward=false --userland-proxy=false --bridge=none \
      </dev/null >"$log_file" 2>&1
  ) &
  PID=$!
  # setsid forks when its caller leads a process group (it does not here, but check): then $! is not dockerd.
  local i
  for ((i = 0; i < 50; i++)); do
    [[ "$(readlink "/proc/$PID/exe" 2>/dev/null)" == "$dockerd_bin" ]] && break
    sleep 0.1
  done
  START_TIME="$(start_time "$PID" || true)"
  write_state
  is_ours "$PID" || {
    tail -n 30 "$log_file" >&2 || true
    cleanup
    die "dockerd did not start (see the log above)"
  }

  local timeout="${ENGINE_START_TIMEOUT:-30}" waited=0
  until docker_answers; do
    if ! is_ours "$PID"; then
      tail -n 30 "$log_file" >&2 || true
      cleanup
      die "dockerd exited during start (see the log above)"
    fi
    if ((waited >= timeout * 10)); then
      tail -n 30 "$log_file" >&2 || true
      cmd_stop >&2 || true
      die "dockerd did not answer within ${timeout}s"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  note "running: pid $PID, engine $(DOCKER_HOST="unix://$RUN_DIR/docker.sock" DOCKER_CONFIG="$docker_config" "$docker_cli" version --format '{{.Server.Version}}' 2>/dev/null)"
  print_env
}

# -------------------------------------------------------------------------------------------------------
# stop
# -------------------------------------------------------------------------------------------------------

wait_gone() { # pid, tenths of a second
  local i
  for ((i = 0; i < $2; i++)); do
    alive "$1" || return 0
    sleep 0.1
  done
  ! alive "$1"
}

# PIDs in the cgroups this script saw dockerd create: the engine's containers and build steps.
cgroup_processes() {
  local d
  for d in $CREATED; do
    [[ "$d" == /sys/fs/cgroup/* && -d "$d" ]] || continue
    find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -un
  return 0
}

# Everything but dockerd itself: leftover processes of ours, mounts, folders, cgroups, the state file.
cleanup() {
  local p
  for p in $(our_processes); do
    note "ending leftover $(readlink "/proc/$p/exe" 2>/dev/null || echo process) (pid $p)"
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in $(our_processes); do wait_gone "$p" 50 || kill -KILL "$p" 2>/dev/null || true; done
  for p in $(our_processes); do wait_gone "$p" 30 || note "warning: pid $p did not exit"; done
  # A container's first process ignores SIGTERM (it is init in its pid namespace): SIGKILL, once dockerd,
  # containerd and the shims are gone.
  for p in $(cgroup_processes); do
    alive "$p" || continue
    note "killing leftover container process $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60) (pid $p)"
    kill -KILL "$p" 2>/dev/null || true
  done
  for p in $(cgroup_processes); do wait_gone "$p" 30 || note "warning: pid $p did not exit"; done

  local dirs=() d
  [[ -n "$RUN_DIR" ]] && dirs+=("$RUN_DIR")
  [[ -n "$DATA_ROOT" ]] && dirs+=("$DATA_ROOT")
  for d in $CREATED; do [[ "$d" == /run/* ]] && dirs+=("$d"); done
  local m
  while IFS= read -r m; do
    [[ -n "$m" ]] || continue
    note "unmounting $m"
    # -n: util-linux would otherwise create /run/mount for its utab.
    umount -n "$m" 2>/dev/null || umount -n -l "$m" 2>/dev/null || note "warning: could not unmount $m"
  done < <(mounts_under "${dirs[@]}")

  if [[ "$RUN_DIR" == /tmp/c2b-engine.* && -d "$RUN_DIR" ]]; then
    if [[ -z "$(mounts_under "$RUN_DIR")" ]]; then rm -rf "$RUN_DIR"; else note "warning: $RUN_DIR still has mounts; left in place"; fi
  fi
  for d in $CREATED; do
    case "$d" in
      /run/*)
        if [[ -e "$d" ]]; then
          if [[ -z "$(mounts_under "$d")" ]]; then rm -rf "$d"; else note "warning: $d still has mounts; left in place"; fi
        fi
        ;;
      /sys/fs/cgroup/*)
        # cgroup folders are removed with rmdir, children first; one still in use stays (and is reported).
        if [[ -d "$d" ]]; then
          find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
          [[ -d "$d" ]] && note "warning: cgroup $d still in use; left in place"
        fi
        ;;
    esac
  done
  rm -f "$state_file"
  return 0
}

cmd_stop() {
  if ! read_state; then
    note "not running (no $state_file): nothing to stop"
    return 0
  fi
  if [[ -n "$PID" ]] && is_ours "$PID"; then
    note "stopping dockerd (pid $PID)"
    kill -TERM "$PID"
    if ! wait_gone "$PID" 300; then
      note "dockerd did not stop within 30s: killing it"
      kill -KILL "$PID" 2>/dev/null || true
      wait_gone "$PID" 50 || die "dockerd (pid $PID) survived SIGKILL"
    fi
  elif [[ -n "$PID" ]] && alive "$PID"; then
    note "pid $PID is not the dockerd this script started (it exited and the pid was reused): not touching it"
  else
    note "dockerd (pid ${PID:-?}) is no longer running"
  fi
  cleanup
  # Report anything that stayed behind.
  local left=0 d
  [[ -z "$(our_processes)" ]] || {
    note "warning: processes still running: $(our_processes | tr '\n' ' ')"
    left=1
  }
  [[ -z "$(cgroup_processes)" ]] || {
    note "warning: processes still in the engine's cgroups: $(cgroup_processes | tr '\n' ' ')"
    left=1
  }
  for d in $CREATED; do
    if [[ -e "$d" ]]; then
      note "warning: $d still exists"
      left=1
    fi
  done
  [[ -z "$(mounts_under "$RUN_DIR" "$DATA_ROOT")" ]] || {
    note "warning: mounts left: $(mounts_under "$RUN_DIR" "$DATA_ROOT" | tr '\n' ' ')"
    left=1
  }
  ((left == 0)) || die "the engine left something behind (see above)"
  note "stopped"
}

cmd_status() {
  if running; then
    note "running: pid $PID, socket $RUN_DIR/docker.sock"
    print_env
    return 0
  fi
  if [[ -f "$state_file" ]]; then
    note "not running (a stale state file is left: test/tools/engine.sh stop cleans up)"
  else
    note "not running"
  fi
  return 3
}

cmd_env() {
  running || {
    note "not running"
    return 3
  }
  print_env
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  -h | --help | help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    ;;
  *)
    echo "usage: test/tools/engine.sh fetch|start|stop|status|env (--help for more)" >&2
    exit 2
    ;;
esac
