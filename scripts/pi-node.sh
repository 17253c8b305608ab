#!/usr/bin/env bash
# One-click trademl Pi node (docs/operations.md). Run from the repository checkout on the Pi:
#
#   scripts/pi-node.sh [options] install     Node >= 20.19 (downloaded if the system's is older), npm ci, .env,
#                                            trademl doctor, and one systemd service running `trademl node up`
#   scripts/pi-node.sh [options] up          install if the service is not installed yet, then start it
#   scripts/pi-node.sh [options] selfcheck   trademl doctor --online: the lake and every keyed vendor answer
#   scripts/pi-node.sh [options] status      the service, its last log lines, and the last DAG run
#   scripts/pi-node.sh [options] uninstall   stop and remove the service (keeps .env, the lake and Node)
#   scripts/pi-node.sh [options] configure   only write .env (from flags, the environment, prompts)
#   scripts/pi-node.sh [options] ensure-node only make sure Node >= 20.19 is there; prints its path
#   scripts/pi-node.sh [options] print-unit  print the systemd unit `install` would write
#
# Options:
#   --dry-run                 print every action instead of doing it (nothing is written, installed or started)
#   --yes                     never prompt (values not given stay as they are, or empty)
#   --user NAME               the account the service runs as (default: $SUDO_USER, else the current user)
#   --lake-root DIR           LAKE_ROOT (a local lake folder; default ./lake)
#   --s3-endpoint URL, --s3-bucket NAME, --s3-region REGION, --s3-force-path-style true|false
#   --aws-access-key-id ID, --aws-secret-access-key KEY
#   --alpaca-key-id ID, --alpaca-secret-key KEY, --polygon-key KEY, --finnhub-key KEY, --fred-key KEY
#   --no-node-download        never download Node; say exactly what to install instead
#   --purge-node              with uninstall: also delete the Node this script downloaded
#
# Every .env value can also come from the environment under its own name (POLYGON_API_KEY=... scripts/pi-node.sh
# install), which keeps secrets out of the process list and the shell history; flags win over the environment,
# the environment over the existing .env, and on a terminal the script prompts for what is still missing.
# Secret values are never printed.
#
# Environment (mostly for tests and mirrors): TRADEML_NODE_VERSION (pinned below), TRADEML_NODE_MIRROR (default
# https://nodejs.org/dist; file:// works), TRADEML_NODE_DIR (default <repo>/.cache/node), TRADEML_UNIT_DIR
# (default /etc/systemd/system), TRADEML_NODE_RUNNER (a command prefix that runs the downloaded node, e.g. qemu-user
# when an arm64 install is checked on x64), PI_NODE_MACHINE / PI_NODE_LONG_BIT (stand in for `uname -m` and
# `getconf LONG_BIT`).
#
# Exit codes: 0 ok, 2 usage, 3 something to install or fix by hand (the message says what), 4 a step failed,
# or trademl doctor's own exit code when it fails.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The newest Node 20 release when this was written; package.json needs >= 20.19.
NODE_VERSION="${TRADEML_NODE_VERSION:-v20.20.2}"
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19
NODE_MIRROR="${TRADEML_NODE_MIRROR:-https://nodejs.org/dist}"
NODE_DIR="${TRADEML_NODE_DIR:-$REPO/.cache/node}"
UNIT_DIR="${TRADEML_UNIT_DIR:-/etc/systemd/system}"
SERVICE="trademl-node"
UNIT_FILE="$UNIT_DIR/$SERVICE.service"
ENV_FILE="$REPO/.env"

# .env keys this script manages, in the order of .env.example; the secret ones are never printed.
ENV_KEYS=(LAKE_ROOT S3_ENDPOINT S3_BUCKET S3_REGION S3_FORCE_PATH_STYLE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  ALPACA_API_KEY_ID ALPACA_API_SECRET_KEY POLYGON_API_KEY FINNHUB_API_KEY FRED_API_KEY)
is_secret() { case "$1" in *_KEY*|AWS_*) return 0 ;; *) return 1 ;; esac; }

DRY_RUN=0
ASSUME_YES=0
NODE_DOWNLOAD=1
PURGE_NODE=0
SERVICE_USER="${SUDO_USER:-$(id -un)}"
declare -A GIVEN=()
NODE_BIN=""
WORK_DIR=""
trap 'if [ -n "$WORK_DIR" ]; then rm -rf "$WORK_DIR"; fi' EXIT

log() { printf '[pi-node] %s\n' "$*" >&2; }
die() { local code="$1"; shift; log "error: $*"; exit "$code"; }

# The printable form of a command (each word shell-quoted), for the log and for --dry-run.
quoted() { local out="" word; for word in "$@"; do out+="$(printf '%q' "$word") "; done; printf '%s' "${out% }"; }

# run CMD...: shows the command, then runs it; with --dry-run only shows it.
run() {
  if [ "$DRY_RUN" = 1 ]; then printf 'would run: %s\n' "$(quoted "$@")"; return 0; fi
  log "+ $(quoted "$@")"
  "$@"
}

# Root for the systemd steps: directly when already root, else through sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then run "$@"; return; fi
  command -v sudo >/dev/null 2>&1 || die 3 "this step needs root and sudo is not installed: re-run as root"
  run sudo "$@"
}

# --- Node -------------------------------------------------------------------------------------------------------

# The Node release architecture for this machine. A 64-bit kernel with a 32-bit userland (Raspberry Pi OS 32-bit
# on a Pi 4 reports aarch64) needs the armv7l build, so the userland's word size decides.
node_arch() {
  local machine="${PI_NODE_MACHINE:-$(uname -m)}" bits="${PI_NODE_LONG_BIT:-$(getconf LONG_BIT 2>/dev/null || echo 64)}"
  case "$machine" in
    aarch64|arm64) if [ "$bits" = 32 ]; then echo armv7l; else echo arm64; fi ;;
    armv7l|armv8l) echo armv7l ;;
    x86_64|amd64) echo x64 ;;
    armv6l) die 3 "Node $NODE_MIN_MAJOR has no official build for armv6l (Pi Zero / Pi 1): use a Pi 3 or later with a 64-bit OS" ;;
    *) die 3 "no official Node $NODE_MIN_MAJOR build for machine '$machine': install Node >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR yourself (https://nodejs.org/en/download) and re-run" ;;
  esac
}

# version_ok v20.19.1 → true when >= the minimum.
version_ok() {
  local v="${1#v}" major minor
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  [ "$major" -gt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}

# The version a node binary reports. One this script downloaded runs through TRADEML_NODE_RUNNER (a command
# prefix, several words on purpose), a system one directly.
node_version_of() {
  case "$1" in
    "$NODE_DIR"/*)
      # shellcheck disable=SC2086
      ${TRADEML_NODE_RUNNER:-} "$1" --version 2>/dev/null ;;
    *) "$1" --version 2>/dev/null ;;
  esac
}

# Says exactly what to install and stops (no download tool, or --no-node-download).
explain_node_install() {
  local arch="$1" found="$2"
  log "Node >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR is needed; found: $found."
  log "Install the official $NODE_VERSION build for linux-$arch:"
  log "  curl -fsSLO $NODE_MIRROR/$NODE_VERSION/node-$NODE_VERSION-linux-$arch.tar.xz"
  log "  curl -fsSL $NODE_MIRROR/$NODE_VERSION/SHASUMS256.txt | grep ' node-$NODE_VERSION-linux-$arch.tar.xz\$' | sha256sum -c -"
  log "  sudo tar -xJf node-$NODE_VERSION-linux-$arch.tar.xz -C /usr/local --strip-components=1"
  log "or let this script do it (without --no-node-download; it needs curl or wget)."
  exit 3
}

# download URL FILE: curl (which also reads file:// mirrors) or wget.
download() {
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 3 -o "$2" "$1"
  else wget -q -O "$2" "$1"; fi
}

install_node() {
  local arch="$1" ext=tar.xz tar_flag=J
  # xz-utils is not on every minimal image; the same release also ships .tar.gz.
  command -v xz >/dev/null 2>&1 || { ext=tar.gz; tar_flag=z; }
  local name="node-$NODE_VERSION-linux-$arch" tarball url sums
  tarball="$name.$ext"; url="$NODE_MIRROR/$NODE_VERSION/$tarball"; sums="$NODE_MIRROR/$NODE_VERSION/SHASUMS256.txt"
  log "Node $NODE_VERSION for linux-$arch: $url"
  if [ "$DRY_RUN" = 1 ]; then
    printf 'would download: %s\n' "$url"
    printf 'would verify: its SHA-256 against %s\n' "$sums"
    printf 'would unpack: into %s\n' "$NODE_DIR/$name"
    NODE_BIN="$NODE_DIR/$name/bin/node"
    return 0
  fi
  WORK_DIR="$(mktemp -d)"
  download "$url" "$WORK_DIR/$tarball" || die 4 "could not download $url"
  download "$sums" "$WORK_DIR/SHASUMS256.txt" || die 4 "could not download $sums"
  # SHASUMS256.txt lists every file of the release; exactly one line must name ours, and its sum must match.
  if ! grep -E "^[0-9a-f]{64}  $tarball\$" "$WORK_DIR/SHASUMS256.txt" >"$WORK_DIR/expected" \
     || [ "$(wc -l <"$WORK_DIR/expected")" -ne 1 ]; then
    die 4 "$tarball is not listed in $sums"
  fi
  (cd "$WORK_DIR" && sha256sum -c --status expected) || die 4 "SHA-256 of $tarball does not match $sums: not installing it"
  mkdir -p "$NODE_DIR" && rm -rf "${NODE_DIR:?}/$name.tmp" && mkdir -p "$NODE_DIR/$name.tmp"
  tar -x"$tar_flag"f "$WORK_DIR/$tarball" -C "$NODE_DIR/$name.tmp" --strip-components=1 || die 4 "could not unpack $tarball"
  rm -rf "$WORK_DIR"; WORK_DIR=""
  local got
  got="$(node_version_of "$NODE_DIR/$name.tmp/bin/node")"
  [ "$got" = "$NODE_VERSION" ] || die 4 "the unpacked node reports '${got:-nothing}', not $NODE_VERSION (wrong architecture?)"
  rm -rf "${NODE_DIR:?}/$name" && mv "$NODE_DIR/$name.tmp" "$NODE_DIR/$name"
  NODE_BIN="$NODE_DIR/$name/bin/node"
  log "installed Node $got at $NODE_BIN (checksum verified)"
}

# Sets NODE_BIN to a Node >= 20.19 already here: one this script installed before, else the system's. Otherwise
# returns 1 and leaves what it found (too old, or none) in NODE_FOUND.
NODE_FOUND="none"
find_node() {
  local arch="$1" candidate version
  for candidate in "$NODE_DIR/node-$NODE_VERSION-linux-$arch/bin/node" "$(command -v node || true)"; do
    if [ -z "$candidate" ] || [ ! -x "$candidate" ]; then continue; fi
    version="$(node_version_of "$candidate")"
    if version_ok "$version"; then
      NODE_BIN="$candidate"
      log "Node $version at $candidate is new enough (>= $NODE_MIN_MAJOR.$NODE_MIN_MINOR)"
      return 0
    fi
    NODE_FOUND="Node ${version:-?} at $candidate"
  done
  return 1
}

# Sets NODE_BIN to a Node >= 20.19, downloading the official build when none is here.
ensure_node() {
  local arch found
  arch="$(node_arch)" || exit $?
  find_node "$arch" && return 0
  found="$NODE_FOUND"
  [ "$NODE_DOWNLOAD" = 1 ] || explain_node_install "$arch" "$found"
  command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 || explain_node_install "$arch" "$found"
  command -v sha256sum >/dev/null 2>&1 || explain_node_install "$arch" "$found"
  log "$found is too old or missing: installing the official Node $NODE_VERSION into $NODE_DIR (only trademl uses it)"
  install_node "$arch"
}

# Runs the repository's trademl with the chosen Node.
trademl() { (cd "$REPO" && run "$NODE_BIN" bin/trademl.js "$@"); }

npm_ci() {
  local bin_dir
  bin_dir="$(dirname "$NODE_BIN")"
  # npm from the same Node, and that Node first on PATH for the install scripts (the build runs asc and tsc).
  (cd "$REPO" && PATH="$bin_dir:$PATH" run "$bin_dir/npm" ci --no-audit --no-fund) || die 4 "npm ci failed"
}

# --- .env -------------------------------------------------------------------------------------------------------

# The value KEY has in the existing .env (KEY=value lines; surrounding quotes dropped), or nothing.
existing_value() {
  [ -f "$ENV_FILE" ] || return 0
  sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\\(.*\\)'\$/\\1/"
}

# Flag, then environment, then existing .env, then a prompt on a terminal.
resolve_value() {
  local key="$1" value
  if [ -n "${GIVEN[$key]+x}" ]; then printf '%s' "${GIVEN[$key]}"; return; fi
  if [ -n "${!key:-}" ]; then printf '%s' "${!key}"; return; fi
  value="$(existing_value "$key")"
  if [ -z "$value" ] && [ "$ASSUME_YES" = 0 ] && [ "$DRY_RUN" = 0 ] && [ -t 0 ]; then
    if is_secret "$key"; then read -r -s -p "$key (hidden, Enter to leave empty): " value </dev/tty; echo >&2
    else read -r -p "$key (Enter to leave empty): " value </dev/tty; fi
  fi
  if [ -z "$value" ] && [ "$key" = LAKE_ROOT ]; then value="./lake"; fi
  printf '%s' "$value"
}

shown() { if [ -z "$2" ]; then printf '%s=(empty)' "$1"; elif is_secret "$1"; then printf '%s=(set, hidden)' "$1"; else printf '%s=%s' "$1" "$2"; fi; }

write_env() {
  local key value summary=() tmp
  declare -A values=()
  for key in "${ENV_KEYS[@]}"; do
    value="$(resolve_value "$key")"
    case "$value" in *$'\n'*) die 2 "$key must be one line" ;; esac
    values[$key]="$value"
    summary+=("$(shown "$key" "$value")")
  done
  if [ "$DRY_RUN" = 1 ]; then
    printf 'would write: %s (mode 600): %s\n' "$ENV_FILE" "${summary[*]}"
    return 0
  fi
  tmp="$(mktemp "$ENV_FILE.XXXXXX")" || die 4 "cannot write in $REPO"
  chmod 600 "$tmp"
  # Lines for keys this script does not manage (NODE_WORKERS, comments) are kept as they are.
  if [ -f "$ENV_FILE" ]; then
    grep -v -E "^($(IFS='|'; echo "${ENV_KEYS[*]}"))=" "$ENV_FILE" >>"$tmp" || true
  else
    printf '# trademl node settings, written by scripts/pi-node.sh; see .env.example for every key.\n' >>"$tmp"
  fi
  for key in "${ENV_KEYS[@]}"; do printf '%s=%s\n' "$key" "${values[$key]}" >>"$tmp"; done
  mv "$tmp" "$ENV_FILE"
  log "wrote $ENV_FILE (mode 600): ${summary[*]}"
}

# --- systemd ----------------------------------------------------------------------------------------------------

unit_text() {
  local group
  group="$(id -gn "$SERVICE_USER" 2>/dev/null || echo "$SERVICE_USER")"
  cat <<UNIT
# Written by scripts/pi-node.sh; \`scripts/pi-node.sh uninstall\` removes it. One service: \`trademl node up\`
# collects through the session and runs the nightly DAG itself, so there is no timer beside it.
[Unit]
Description=trademl Pi node (edge collection and the nightly DAG)
Documentation=file://$REPO/docs/operations.md
Wants=network-online.target
After=network-online.target time-sync.target
# At most 5 restarts in 10 minutes, then the unit stays failed until someone looks (scripts/pi-node.sh status).
StartLimitIntervalSec=600
StartLimitBurst=5

[Service]
Type=simple
User=$SERVICE_USER
Group=$group
WorkingDirectory=$REPO
ExecStart=$NODE_BIN $REPO/bin/trademl.js node up
Environment=TRADEML_LOG_FORMAT=json
Restart=on-failure
RestartSec=30
# SIGTERM aborts trademl's pass; a commit is create-only, so a pass cut short leaves nothing half-written.
TimeoutStopSec=120
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=full
Nice=5

[Install]
WantedBy=multi-user.target
UNIT
}

need_systemd() {
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then return 0; fi
  [ "$DRY_RUN" = 1 ] && { log "note: systemd is not running here; the systemd steps below are shown only"; return 0; }
  die 3 "systemd is not running on this machine: run \`node bin/trademl.js node up\` under your own supervisor instead"
}

install_unit() {
  need_systemd
  if [ "$DRY_RUN" = 1 ]; then
    printf 'would write: %s:\n' "$UNIT_FILE"
    unit_text | sed 's/^/    /'
  else
    local tmp
    tmp="$(mktemp)"
    unit_text >"$tmp"
    if command -v systemd-analyze >/dev/null 2>&1; then
      systemd-analyze verify "$tmp" 2>&1 | grep -v "^$" >&2 || true
    fi
    as_root install -m 644 "$tmp" "$UNIT_FILE" || { rm -f "$tmp"; die 4 "could not write $UNIT_FILE"; }
    rm -f "$tmp"
  fi
  as_root systemctl daemon-reload || die 4 "systemctl daemon-reload failed"
  as_root systemctl enable "$SERVICE.service" || die 4 "systemctl enable $SERVICE failed"
}

# --- commands ---------------------------------------------------------------------------------------------------

cmd_install() {
  [ "$SERVICE_USER" != root ] || log "warning: the service will run as root; pass --user NAME to run it as a normal account"
  ensure_node
  npm_ci
  write_env
  if ! trademl doctor; then
    die 4 "trademl doctor found a problem (FAIL lines above): fix it and re-run; the service was not installed"
  fi
  install_unit
  if [ "$DRY_RUN" = 1 ]; then log "dry run done: nothing was changed"
  else log "installed $SERVICE.service; start it with: scripts/pi-node.sh up"; fi
}

cmd_up() {
  need_systemd
  if [ ! -f "$UNIT_FILE" ]; then cmd_install; fi
  as_root systemctl start "$SERVICE.service" || die 4 "systemctl start $SERVICE failed; see: journalctl -u $SERVICE -n 50"
  [ "$DRY_RUN" = 1 ] || systemctl --no-pager --lines=0 status "$SERVICE.service"
}

cmd_selfcheck() {
  ensure_node
  trademl doctor --online
}

cmd_status() {
  if command -v systemctl >/dev/null 2>&1; then
    run systemctl --no-pager --lines=0 status "$SERVICE.service"
    command -v journalctl >/dev/null 2>&1 && run journalctl -u "$SERVICE" -n 15 --no-pager
  else
    echo "systemd is not running here: no service to show"
  fi
  local arch
  arch="$(node_arch)" || return 0
  if ! find_node "$arch" 2>/dev/null; then echo "last DAG run: unknown (no Node >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR here yet)"; return 0; fi
  [ "$DRY_RUN" = 1 ] && { printf 'would run: %s\n' "$(quoted "$NODE_BIN" bin/trademl.js dag status)"; return 0; }
  # `trademl dag status` arrives with the DAG runner; an older trademl says it does not know the command.
  local out code
  out="$(cd "$REPO" && "$NODE_BIN" bin/trademl.js dag status 2>&1)"; code=$?
  if [ "$code" -eq 0 ]; then printf 'last DAG run:\n%s\n' "$out"
  elif printf '%s' "$out" | grep -q -E 'unknown command|not built'; then echo "last DAG run: not available (this trademl has no \`dag status\` yet)"
  else printf 'last DAG run: trademl dag status failed (exit %s):\n%s\n' "$code" "$out"; fi
}

cmd_uninstall() {
  need_systemd
  if [ -f "$UNIT_FILE" ] || [ "$DRY_RUN" = 1 ]; then
    as_root systemctl disable --now "$SERVICE.service" || log "warning: could not stop $SERVICE (already gone?)"
    as_root rm -f "$UNIT_FILE"
    as_root systemctl daemon-reload
  else
    log "$UNIT_FILE is not installed"
  fi
  if [ "$PURGE_NODE" = 1 ]; then run rm -rf "$NODE_DIR"; fi
  log "kept $ENV_FILE, the lake and $NODE_DIR (unless --purge-node); delete them yourself if you want them gone"
}

usage() { sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

flag_key() {
  case "$1" in
    --lake-root) echo LAKE_ROOT ;; --s3-endpoint) echo S3_ENDPOINT ;; --s3-bucket) echo S3_BUCKET ;;
    --s3-region) echo S3_REGION ;; --s3-force-path-style) echo S3_FORCE_PATH_STYLE ;;
    --aws-access-key-id) echo AWS_ACCESS_KEY_ID ;; --aws-secret-access-key) echo AWS_SECRET_ACCESS_KEY ;;
    --alpaca-key-id) echo ALPACA_API_KEY_ID ;; --alpaca-secret-key) echo ALPACA_API_SECRET_KEY ;;
    --polygon-key) echo POLYGON_API_KEY ;; --finnhub-key) echo FINNHUB_API_KEY ;; --fred-key) echo FRED_API_KEY ;;
    *) return 1 ;;
  esac
}

main() {
  local command="" key name value
  while [ $# -gt 0 ]; do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      --yes|-y) ASSUME_YES=1 ;;
      --no-node-download) NODE_DOWNLOAD=0 ;;
      --purge-node) PURGE_NODE=1 ;;
      --user) [ $# -ge 2 ] || die 2 "--user needs a value"; SERVICE_USER="$2"; shift ;;
      --user=*) SERVICE_USER="${1#*=}" ;;
      -h|--help) usage ;;
      --*)
        name="${1%%=*}"
        key="$(flag_key "$name")" || die 2 "unknown option $name (see --help)"
        if [ "$name" != "$1" ]; then value="${1#*=}"; else [ $# -ge 2 ] || die 2 "$name needs a value"; value="$2"; shift; fi
        GIVEN[$key]="$value" ;;
      install|up|selfcheck|status|uninstall|configure|ensure-node|print-unit)
        [ -z "$command" ] || die 2 "one command at a time (got $command and $1)"
        command="$1" ;;
      *) die 2 "unknown argument $1 (see --help)" ;;
    esac
    shift
  done
  [ "$DRY_RUN" = 0 ] || log "dry run: nothing is written, installed or started"
  case "$command" in
    install) cmd_install ;;
    up) cmd_up ;;
    selfcheck) cmd_selfcheck ;;
    status) cmd_status ;;
    uninstall) cmd_uninstall ;;
    configure) write_env ;;
    ensure-node) ensure_node && printf '%s\n' "$NODE_BIN" ;;
    print-unit) ensure_node && unit_text ;;
    *) usage ;;
  esac
}

main "$@"
