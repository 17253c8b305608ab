#!/usr/bin/env bash
# Python test peers (oracles for tests and benchmarks, never product code), each a pinned requirements file
# installed into its own virtualenv under the cache, like MLflow in scripts/test-services.sh.
#
#   scripts/test-peers.sh install <peer>   create the venv if missing; print its python on stdout
#   scripts/test-peers.sh python  <peer>   print the venv's python if installed (exit 3 if not)
#
# Peers: learn (lightgbm, bench/peers/learn-requirements.txt).
# Environment: TRADEML_PEERS_DIR (default $HOME/.cache/trademl/peers), TRADEML_PYTHON (default python3).
# The venv folder is named after a hash of the requirements file, so a changed pin installs a new venv.
# Exit codes: 0 ok, 2 usage, 3 python3 missing or peer not installed, 4 install failed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${TRADEML_PYTHON:-python3}"
CACHE_DIR="${TRADEML_PEERS_DIR:-$HOME/.cache/trademl/peers}"

log() { printf '[test-peers] %s\n' "$*" >&2; }
die() { local code="$1"; shift; log "error: $*"; exit "$code"; }

requirements_of() {
  case "$1" in
    learn) printf '%s' "$root/bench/peers/learn-requirements.txt" ;;
    *) die 2 "unknown peer '$1' (learn)" ;;
  esac
}

home_of() { # <peer>: the venv's folder, named by the requirements' hash
  local req hash
  req="$(requirements_of "$1")" || exit $?
  hash="$(sha256sum "$req" | cut -c1-12)"
  printf '%s' "$CACHE_DIR/$1-$hash"
}

installed() { [ -x "$1/venv/bin/python" ] && [ -f "$1/.installed" ]; }

install_locked() { # <peer> <home>
  local peer="$1" home="$2" py started=$SECONDS
  installed "$home" && return 0
  py="$(command -v "$PYTHON" || true)"
  [ -n "$py" ] || die 3 "python3 not found ($PYTHON): the $peer peer is pip-installed into a virtualenv"
  # A venv is not relocatable, so it is built in place and marked complete only at the end.
  rm -rf "$home" && mkdir -p "$home"
  log "installing the $peer peer ($(grep -v '^#' "$(requirements_of "$peer")" | tr '\n' ' ')) with $("$py" --version 2>&1)"
  if ! "$py" -m venv "$home/venv" >"$home/install.log" 2>&1 \
     || ! "$home/venv/bin/python" -m pip install --disable-pip-version-check --no-input \
          -r "$(requirements_of "$peer")" >>"$home/install.log" 2>&1; then
    tail -n 30 "$home/install.log" >&2
    rm -rf "$home"
    die 4 "pip install of the $peer peer failed"
  fi
  touch "$home/.installed"
  log "installed the $peer peer in $((SECONDS - started)) s"
}

main() {
  local action="${1:-}" peer="${2:-}" home
  [ -n "$peer" ] || die 2 "usage: $0 {install|python} <peer>"
  home="$(home_of "$peer")" || exit $?
  case "$action" in
    install)
      if ! installed "$home"; then
        mkdir -p "$CACHE_DIR"
        # Serialises concurrent installs (Node and Deno runs, several engineers); flock(1) is util-linux.
        if command -v flock >/dev/null 2>&1; then
          ( flock -w 1800 9 || die 4 "timed out waiting for the $peer install lock"; install_locked "$peer" "$home" ) \
            9>"$CACHE_DIR/$peer.lock" || exit $?
        else
          install_locked "$peer" "$home" || exit $?
        fi
      fi
      printf '%s\n' "$home/venv/bin/python" ;;
    python)
      installed "$home" || die 3 "the $peer peer is not installed (scripts/test-peers.sh install $peer)"
      printf '%s\n' "$home/venv/bin/python" ;;
    *) die 2 "usage: $0 {install|python} <peer>" ;;
  esac
}

main "$@"
