#!/usr/bin/env bash
# Installs, upgrades or removes Tidegate's agent or collector as a systemd service on Raspberry Pi OS
# or Debian (arm64, armhf, amd64). See docs/install.md.
#
#   sudo ./install.sh install   [agent|collector] [--from RELEASE]
#   sudo ./install.sh upgrade   [agent|collector] [--from RELEASE]
#   sudo ./install.sh uninstall [agent|collector] [--purge]
#
# RELEASE is a tarball from `npm run pack:agent` / `pack:collector`, its unpacked folder, or a built
# repository checkout; default: the folder this script is in. Each version goes to
# /opt/tidegate/versions/<app>/<version>, `current` there links the one that runs (`previous` the one
# before) and /opt/tidegate/<app> links `current`, so a remote upgrade (agent.upgrade) switches a link;
# the config to /etc/tidegate (written once from the example, never overwritten), data to
# /var/lib/tidegate (kept by upgrade and uninstall; --purge removes it and the config).
#   --root DIR       install under DIR instead of / (staging, tests); system packages are then only checked
#   --no-systemctl   do not run systemctl (no systemd, a container, a staging root)
set -euo pipefail

NODE_MIN=20.19
USER_NAME=tidegate

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
say() { echo "install.sh: $*"; }
die() {
  echo "install.sh: $*" >&2
  exit 1
}

action=${1:-}
[[ $action == install || $action == upgrade || $action == uninstall ]] || {
  usage
  exit 2
}
shift
app=agent
if [[ ${1:-} == agent || ${1:-} == collector ]]; then
  app=$1
  shift
fi
from="" root="" purge=0 use_systemctl=1
while (($#)); do
  case $1 in
  --from) from=${2:?--from needs a tarball or folder} && shift ;;
  --root) root=${2:?--root needs a folder} && shift ;;
  --purge) purge=1 ;;
  --no-systemctl) use_systemctl=0 ;;
  -h | --help) usage && exit 0 ;;
  *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done
if [[ -n $root ]]; then
  root=$(realpath -m "$root")
  mkdir -p "$root"
fi
[[ $EUID -eq 0 || -n $root ]] || die "run as root: sudo $0 $action $app"

name=tidegate-$app
opt=$root/opt/tidegate
app_dir=$opt/$app
versions=$opt/versions/$app
bin_link=$root/usr/local/bin/$name
etc=$root/etc/tidegate
data=$root/var/lib/tidegate
unit=$root/etc/systemd/system/$name.service
if [[ $app == agent ]]; then
  config=$etc/agent.yaml example=config.example.yaml
else
  config=$etc/collector.env example=collector.env.example
fi

systemctl_() {
  if ((use_systemctl)); then
    systemctl "$@"
  else
    say "skipped (--no-systemctl): systemctl $*"
  fi
}

# --- checks ---------------------------------------------------------------------------------------

check_arch() {
  local arch
  arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
  case $arch in
  arm64 | aarch64 | armhf | amd64 | x86_64) say "architecture $arch: prebuilt native modules exist" ;;
  armel | armv6l) die "architecture $arch (Pi Zero/Pi 1) is not supported by Node 20; use a Pi 2 or newer" ;;
  *) say "architecture $arch: no prebuilt native modules; npm will compile them (needs: apt-get install build-essential python3)" ;;
  esac
}

# Whether version $1 (e.g. 20.19.2 or v20.19.2) is at least $NODE_MIN.
node_new_enough() {
  local v=${1#v} major minor
  major=${v%%.*} minor=${v#*.}
  minor=${minor%%.*}
  [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || return 1
  ((major > ${NODE_MIN%%.*} || (major == ${NODE_MIN%%.*} && minor >= ${NODE_MIN#*.})))
}

nodesource_hint() {
  cat >&2 <<EOF
install.sh: Node >= $NODE_MIN with npm is needed ($1), and Debian's nodejs package here is older.
Install Node 20 from NodeSource (it includes npm):
  curl -fsSL https://deb.nodesource.com/setup_20.x -o /tmp/nodesource_setup.sh
  sudo bash /tmp/nodesource_setup.sh && sudo apt-get install -y nodejs
then run this again.
EOF
  exit 1
}

ensure_node() {
  local found="" why candidate
  if command -v node >/dev/null 2>&1; then found=$(node --version); fi
  if [[ -z $found ]]; then
    why="node is not installed"
  elif ! node_new_enough "$found"; then
    why="found node $found"
  elif ! command -v npm >/dev/null 2>&1; then
    why="npm is missing"
  else
    say "node $found"
    return
  fi
  candidate=$(apt-cache policy nodejs 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9.]*\).*/\1/p')
  if [[ -z $root ]] && node_new_enough "${candidate:-0}"; then
    say "$why: installing nodejs $candidate and npm from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
    return
  fi
  nodesource_hint "$why"
}

# --- user -----------------------------------------------------------------------------------------

prefix_args=()
[[ -z $root ]] || prefix_args=(--prefix "$root")

has_entry() { grep -q "^$2:" "$root/etc/$1" 2>/dev/null; }

ensure_user() {
  if ! has_entry group dialout && [[ $app == agent ]]; then
    groupadd "${prefix_args[@]}" --system dialout
  fi
  if ! has_entry passwd "$USER_NAME"; then
    say "creating system user $USER_NAME"
    useradd "${prefix_args[@]}" --system --user-group --home-dir /var/lib/tidegate --no-create-home \
      --shell /usr/sbin/nologin "$USER_NAME"
  fi
}

# The numeric ids from the (possibly staged) passwd file, so chown works under --root too.
owner() { awk -F: -v u="$USER_NAME" '$1 == u { print $3 ":" $4 }' "$root/etc/passwd"; }

# --- the release ----------------------------------------------------------------------------------

release="" staged="" pending=""
work=$(mktemp -d)
# A new app folder that was not swapped in (a failed npm ci or config check) goes too.
trap 'rm -rf "$work" ${pending:+"$pending"}' EXIT

# Sets $release to the folder of an unpacked release for $from.
release_dir() {
  local src=${from:-$(dirname "$(realpath "$0")")}
  if [[ -f $src ]]; then
    tar -xzf "$src" -C "$work"
    src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  elif [[ -f $src/../package.json && -d $src/../$app/src ]]; then
    src=$(realpath "$src/..") # systemd/ of a repository checkout
  fi
  if [[ -d $src/$app/src ]]; then
    [[ -f $src/$app/dist/cli.js ]] || die "$src is a repository checkout without a build: run npm ci && npm run build there"
    src=$(node "$src/scripts/pack-release.mjs" "$app" --out "$work/pack")
    src=${src%.tar.gz}
  fi
  grep -q "\"name\": \"$name\"" "$src/package.json" 2>/dev/null ||
    die "${from:-$src} is not a $name release (a tarball from npm run pack:$app, or its folder)"
  release=$src
}

# Whether node_modules of the installed app fit the new release: same lockfile, Node ABI and arch.
abi_stamp() { node -p 'process.platform + "-" + process.arch + " node-abi-" + process.versions.modules'; }

# Sets $staged to a complete new app folder beside the installed one; the installed one is untouched.
stage_app() {
  local src=$1 next=$opt/.$app.new
  pending=$next
  rm -rf "$next"
  mkdir -p "$next"
  cp -R "$src/." "$next/"
  if [[ -d $app_dir/node_modules ]] && cmp -s "$app_dir/package-lock.json" "$next/package-lock.json" &&
    [[ $(cat "$app_dir/.node-abi" 2>/dev/null) == "$(abi_stamp)" ]]; then
    say "dependencies unchanged: reusing node_modules"
    cp -R "$app_dir/node_modules" "$next/"
  else
    say "installing production dependencies (npm ci --omit=dev)"
    (cd "$next" && npm ci --omit=dev --no-audit --no-fund --loglevel=error) || die "npm ci failed.
  If it tried to compile better-sqlite3 or @serialport/bindings-cpp, no prebuilt binary was found for
  this Node and architecture: install a compiler (sudo apt-get install -y build-essential python3)
  and run this again. The app that was installed before is untouched."
  fi
  # Load the native modules now, so a broken build fails here and not in the running service.
  (cd "$next" && node -e 'new (require("better-sqlite3"))(":memory:").close()') ||
    die "better-sqlite3 does not load in $next; see the npm output above"
  abi_stamp >"$next/.node-abi"
  chmod 755 "$next/dist/cli.js"
  staged=$next
}

swap_in() {
  local next=$1 v
  v=$(node -p "require('$next/package.json').version")
  mkdir -p "$versions"
  # The agent (user tidegate) adds versions here and switches the link when upgraded remotely.
  chown "$(owner)" "$versions"
  rm -rf "$versions/.$v.old"
  [[ ! -e $versions/$v ]] || mv "$versions/$v" "$versions/.$v.old"
  mv "$next" "$versions/$v"
  pending=""
  rm -rf "$versions/.$v.old"
  local before
  before=$(readlink "$versions/current" 2>/dev/null || true)
  [[ -z $before || $before == "$v" ]] || ln -sfn "$before" "$versions/previous"
  # A new link renamed over the old one: `current` is never missing, not even for a moment.
  ln -sfn "$v" "$versions/.current.new"
  mv -T "$versions/.current.new" "$versions/current"
  # An install from before the versions layout: its folder goes once the new version is in place.
  [[ -L $app_dir || ! -d $app_dir ]] || rm -rf "$app_dir"
  ln -sfn "versions/$app/current" "$app_dir"
  mkdir -p "$(dirname "$bin_link")"
  # Relative, so the link also works inside a --root staging folder.
  ln -sfn "../../../opt/tidegate/$app/dist/cli.js" "$bin_link"
  mkdir -p "$(dirname "$unit")"
  install -m 644 "$app_dir/systemd/$name.service" "$unit"
}

write_config_once() {
  mkdir -p "$etc" "$data"
  chown "$(owner)" "$data"
  chmod 750 "$data"
  if [[ $app == agent ]]; then
    # Devices added on the commissioning page (decision 32): the one folder under /etc the agent writes.
    # and profiles built there for devices no profile fits (decision 40).
    for d in devices.d profiles.d; do
      mkdir -p "$etc/$d"
      chown "$(owner)" "$etc/$d"
      chmod 750 "$etc/$d"
    done
  fi
  if [[ -e $config ]]; then
    say "keeping your ${config#"$root"}"
    return 1
  fi
  # Group-readable for the service, not world-readable: it may hold credentials.
  install -m 640 "$app_dir/$example" "$config"
  chown "0:$(owner | cut -d: -f2)" "$config"
  say "wrote ${config#"$root"} from the example: edit it for this site"
  return 0
}

# --- actions --------------------------------------------------------------------------------------

installed() { [[ -f $app_dir/package.json ]]; }

do_install() {
  installed && die "$name is already installed in $app_dir: use upgrade"
  check_arch
  ensure_node
  ensure_user
  release_dir
  stage_app "$release"
  swap_in "$staged"
  systemctl_ daemon-reload
  if write_config_once; then
    systemctl_ enable "$name"
    say "installed $name $(version). Edit ${config#"$root"}, then: sudo systemctl start $name"
  else
    systemctl_ enable --now "$name"
    say "installed and started $name $(version)"
  fi
}

version() { node -p "require('$app_dir/package.json').version"; }

do_upgrade() {
  installed || die "$name is not installed in $app_dir: use install"
  check_arch
  ensure_node
  ensure_user
  release_dir
  stage_app "$release"
  if [[ $app == agent && -e $config ]]; then
    # The new version must accept the config before it replaces the running one.
    node "$staged/dist/cli.js" check --config "$config" ||
      die "the new version rejects $config (see above; tidegate-agent config migrate prints it in the new format); nothing was changed"
  fi
  local before
  before=$(version)
  swap_in "$staged"
  write_config_once || true
  systemctl_ daemon-reload
  systemctl_ try-restart "$name"
  say "upgraded $name $before -> $(version); config and ${data#"$root"} kept"
}

do_uninstall() {
  if [[ -f $unit ]]; then
    systemctl_ disable --now "$name"
    rm -f "$unit"
    systemctl_ daemon-reload
  fi
  rm -rf "$app_dir" "$versions" "$opt/.$app.new" "$opt/.$app.old"
  rm -f "$bin_link"
  rmdir "$opt/versions" "$opt" 2>/dev/null || true
  say "removed $name"
  if ((!purge)); then
    say "kept ${config#"$root"} and ${data#"$root"} (uninstall --purge removes them)"
    return
  fi
  rm -f "$config"
  rmdir "$etc" 2>/dev/null || true
  local other=agent
  [[ $app == agent ]] && other=collector
  if [[ -f $opt/$other/package.json ]]; then
    say "kept ${data#"$root"} and user $USER_NAME: tidegate-$other uses them"
    return
  fi
  rm -rf "$data"
  if has_entry passwd "$USER_NAME"; then userdel "${prefix_args[@]}" "$USER_NAME"; fi
  say "purged ${config#"$root"}, ${data#"$root"} and user $USER_NAME"
}

"do_$action"
