#!/usr/bin/env bash
# Makes a fresh Debian machine ready to run and test Tidegate. Safe to run again: it only does
# what is missing. Run first by `npm run demo`, `npm test` and `npm run bench`.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: binary -> Debian package.
declare -A needed=(
  [nats-server]=nats-server # the JetStream broker between agent and collector (tests and demo)
  [socat]=socat             # PTY pairs for serial tests
  [strace]=strace           # the RS-485 line model reads what the agent sets on a PTY (decision 29)
  [chromium]=chromium       # dashboard tests drive it through playwright-core
  [mosquitto]=mosquitto     # an external MQTT broker for the MQTT source tests
  [openssl]=openssl         # test certificates for TLS (MQTT, NATS)
  [influxd]=influxdb        # InfluxDB 1.x for the collector's InfluxDB store tests (they run their own influxd)
  [python3]=python3         # plays systemd's NOTIFY_SOCKET end in the sd_notify tests
  [systemd-notify]=systemd  # sends READY/WATCHDOG for the services; systemd-analyze verifies the units
  [systemd-analyze]=systemd
  [shellcheck]=shellcheck   # systemd/install.sh is checked with it
  [docker-compose]=docker-compose # validates docker/compose.yaml (config needs no Docker engine)
)
missing=()
for bin in "${!needed[@]}"; do
  # Daemons such as mosquitto live in /usr/sbin, which is not on every user's PATH.
  command -v "$bin" >/dev/null 2>&1 || [[ -x "/usr/sbin/$bin" ]] || missing+=("${needed[$bin]}")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]} from Debian packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # The influxdb package enables a system influxd on 8086/8088; tests and the demo start their own.
    if [[ " ${missing[*]} " == *" influxdb "* ]] && command -v systemctl >/dev/null 2>&1; then
      systemctl disable --now influxdb >/dev/null 2>&1 || true
    fi
  else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: install them with:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# Node: engines says >= 20.19.
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("setup: Node >= 20.19 is required, found "+process.version); process.exit(1) }'

# npm ci when node_modules is missing or older than the lockfile.
stamp=node_modules/.tidegate-setup-stamp
if [[ ! -f $stamp || package-lock.json -nt $stamp ]]; then
  echo "setup: npm ci (first run builds better-sqlite3 from source, about a minute)" >&2
  # Some npm 11 releases record only this platform's optional packages (biome, esbuild, rollup
  # binaries) in the lockfile and then refuse `npm ci` for the others; `npm install` with the same
  # lockfile installs the same versions.
  if ! npm ci --no-audit --no-fund --loglevel=error 2>/dev/null; then
    echo "setup: npm ci refused the lockfile; installing the locked versions with npm install" >&2
    npm install --no-audit --no-fund --loglevel=error
  fi
  touch "$stamp"
fi
