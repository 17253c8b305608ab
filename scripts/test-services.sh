#!/usr/bin/env bash
# Real test services for trademl: MinIO (the S3 lake), MLflow (the training gate's tracking server) and pypeers
# (a virtualenv with the Python reference implementations the validation tests compare against: skfolio,
# scikit-learn, numpy; pinned in tests/peers/requirements.txt). pypeers is no server: `start` installs it if needed
# and writes its state file (the venv's python), `stop` removes that file.
#
#   scripts/test-services.sh install  [minio|mlflow|pypeers|all]   build/install the pinned versions into the cache
#   scripts/test-services.sh start    [minio|mlflow|pypeers|all]   install if needed, start on 127.0.0.1 on free ports
#   scripts/test-services.sh stop     [minio|mlflow|pypeers|all]   stop what `start` started (TERM, then KILL after 10 s)
#   scripts/test-services.sh status   [minio|mlflow|pypeers|all]   print the state files and whether the pids are alive
#   scripts/test-services.sh versions [minio|mlflow|pypeers|all]   print the pinned and the installed versions
#
# Environment:
#   TRADEML_SERVICES_DIR      cache of installed binaries (default $HOME/.cache/trademl/services; outside the repo
#                             so a fresh clone reuses it)
#   TRADEML_GO, TRADEML_PYTHON  the Go and Python used to install (default: go and python3 on PATH)
#   TRADEML_SERVICES_RUN_DIR  where one set of running services keeps its state files, data and logs (default
#                             $TRADEML_SERVICES_DIR/run/default). The vitest global setup passes a fresh temp
#                             folder per run, so several runs on one machine never share a server.
#
# `start` writes <run dir>/<service>.json (pid, port, version, endpoint, credentials) for the vitest global setup
# (tests/setup/global-services.ts) to read. Exit codes: 0 ok, 2 usage, 3 a tool is missing (go, python3), 4 an
# install or start failed.
set -uo pipefail

MINIO_MODULE="github.com/minio/minio"
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
MLFLOW_VERSION="3.17.2"  # 3.18.0 is on PyPI but its mlflow-skinny==3.18.0 is not (yet) on the index this machine reaches
GO="${TRADEML_GO:-go}"
PYTHON="${TRADEML_PYTHON:-python3}"
READY_TIMEOUT_S="${TRADEML_SERVICES_READY_TIMEOUT:-120}"

CACHE_DIR="${TRADEML_SERVICES_DIR:-$HOME/.cache/trademl/services}"
RUN_DIR="${TRADEML_SERVICES_RUN_DIR:-$CACHE_DIR/run/default}"
MINIO_HOME="$CACHE_DIR/minio/$MINIO_VERSION"
MINIO_BIN="$MINIO_HOME/bin/minio"
MLFLOW_HOME="$CACHE_DIR/mlflow/$MLFLOW_VERSION"
MLFLOW_BIN="$MLFLOW_HOME/venv/bin/mlflow"
# The pypeers venv lives in a folder named after its requirements file's hash, so a changed pin builds a new venv
# and an old checkout keeps finding its own.
PYPEERS_REQUIREMENTS="$(cd "$(dirname "$0")/.." && pwd)/tests/peers/requirements.txt"
PYPEERS_KEY="$(sha256sum "$PYPEERS_REQUIREMENTS" 2>/dev/null | cut -c1-12)"
PYPEERS_HOME="$CACHE_DIR/pypeers/${PYPEERS_KEY:-unknown}"
PYPEERS_PY="$PYPEERS_HOME/venv/bin/python"

log() { printf '[test-services] %s\n' "$*" >&2; }
die() { local code="$1"; shift; log "error: $*"; exit "$code"; }

# Serialises installs of one service across concurrent runs (several engineers, or Node and Deno runs, may start
# at once). flock(1) is util-linux; where it is missing, a mkdir lock (atomic on POSIX) stands in.
with_lock() {
  local name="$1"; shift
  mkdir -p "$CACHE_DIR/locks"
  if command -v flock >/dev/null 2>&1; then
    ( flock -w 1800 9 || die 4 "timed out waiting for the $name install lock"; "$@" ) 9>"$CACHE_DIR/locks/$name.lock"
    return $?
  fi
  local dir="$CACHE_DIR/locks/$name.d" waited=0
  until mkdir "$dir" 2>/dev/null; do
    sleep 2; waited=$((waited + 2))
    [ "$waited" -lt 1800 ] || die 4 "timed out waiting for $dir"
  done
  ( "$@" ); local rc=$?  # a subshell, so a `die` inside still reaches the rmdir
  rmdir "$dir"
  return $rc
}

minio_installed() { [ -x "$MINIO_BIN" ]; }
mlflow_installed() { [ -x "$MLFLOW_BIN" ] && [ -f "$MLFLOW_HOME/.installed" ]; }
pypeers_installed() { [ -x "$PYPEERS_PY" ] && [ -f "$PYPEERS_HOME/.installed" ]; }

install_minio_locked() {
  minio_installed && return 0
  command -v "$GO" >/dev/null 2>&1 || die 3 "go not found ($GO): MinIO is built with 'go install $MINIO_MODULE@$MINIO_VERSION' (https://go.dev/dl/)"
  local work="$MINIO_HOME.tmp.$$" started=$SECONDS
  rm -rf "$work" && mkdir -p "$work/bin" "$work/gopath"
  log "installing MinIO $MINIO_VERSION with $("$GO" version | awk '{print $3}') (first build takes ~5 min)"
  # A private GOPATH/GOCACHE keeps the build independent of the user's Go setup and lets us delete it afterwards
  # (the module and build caches are ~1 GB; only the binary is kept). CGO off: a static binary needs no C toolchain.
  if ! GOBIN="$work/bin" GOPATH="$work/gopath" GOMODCACHE="$work/gopath/pkg/mod" GOCACHE="$work/gocache" \
       GOFLAGS="-modcacherw" CGO_ENABLED=0 "$GO" install "$MINIO_MODULE@$MINIO_VERSION" >"$work/install.log" 2>&1; then
    tail -n 30 "$work/install.log" >&2
    rm -rf "$work"
    die 4 "go install $MINIO_MODULE@$MINIO_VERSION failed"
  fi
  mkdir -p "$MINIO_HOME/bin"
  mv "$work/bin/minio" "$MINIO_BIN.tmp" && mv "$MINIO_BIN.tmp" "$MINIO_BIN"
  rm -rf "$work"
  echo "$((SECONDS - started))" >"$MINIO_HOME/install-seconds"
  log "installed MinIO $MINIO_VERSION in $((SECONDS - started)) s"
}

install_mlflow_locked() {
  mlflow_installed && return 0
  local py
  py="$(command -v "$PYTHON" || true)"
  [ -n "$py" ] || die 3 "python3 not found ($PYTHON): MLflow $MLFLOW_VERSION is pip-installed into a virtualenv"
  "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
    || die 3 "MLflow $MLFLOW_VERSION needs Python >= 3.10, found $("$py" --version 2>&1)"
  local started=$SECONDS
  # A venv is not relocatable (its scripts hold absolute paths), so it is built in place and marked complete
  # with .installed only at the end; a half-built one is wiped and rebuilt.
  rm -rf "$MLFLOW_HOME" && mkdir -p "$MLFLOW_HOME"
  log "installing MLflow $MLFLOW_VERSION into a virtualenv with $("$py" --version 2>&1)"
  if ! "$py" -m venv "$MLFLOW_HOME/venv" >"$MLFLOW_HOME/install.log" 2>&1 \
     || ! "$MLFLOW_HOME/venv/bin/python" -m pip install --disable-pip-version-check --no-input \
          "mlflow==$MLFLOW_VERSION" >>"$MLFLOW_HOME/install.log" 2>&1; then
    tail -n 30 "$MLFLOW_HOME/install.log" >&2
    rm -rf "$MLFLOW_HOME"
    die 4 "pip install mlflow==$MLFLOW_VERSION failed"
  fi
  echo "$((SECONDS - started))" >"$MLFLOW_HOME/install-seconds"
  touch "$MLFLOW_HOME/.installed"
  log "installed MLflow $MLFLOW_VERSION in $((SECONDS - started)) s"
}

install_pypeers_locked() {
  pypeers_installed && return 0
  [ -f "$PYPEERS_REQUIREMENTS" ] || die 3 "missing $PYPEERS_REQUIREMENTS"
  local py
  py="$(command -v "$PYTHON" || true)"
  [ -n "$py" ] || die 3 "python3 not found ($PYTHON): the Python test peers are pip-installed into a virtualenv"
  "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
    || die 3 "the Python test peers (skfolio 1.12.2) need Python >= 3.10, found $("$py" --version 2>&1)"
  local started=$SECONDS
  rm -rf "$PYPEERS_HOME" && mkdir -p "$PYPEERS_HOME"
  log "installing the Python test peers ($(grep -E '^[a-z]' "$PYPEERS_REQUIREMENTS" | tr '\n' ' ')) with $("$py" --version 2>&1)"
  if ! "$py" -m venv "$PYPEERS_HOME/venv" >"$PYPEERS_HOME/install.log" 2>&1 \
     || ! "$PYPEERS_PY" -m pip install --disable-pip-version-check --no-input -r "$PYPEERS_REQUIREMENTS" \
          >>"$PYPEERS_HOME/install.log" 2>&1; then
    tail -n 30 "$PYPEERS_HOME/install.log" >&2
    rm -rf "$PYPEERS_HOME"
    die 4 "pip install -r tests/peers/requirements.txt failed"
  fi
  cp "$PYPEERS_REQUIREMENTS" "$PYPEERS_HOME/requirements.txt"
  echo "$((SECONDS - started))" >"$PYPEERS_HOME/install-seconds"
  touch "$PYPEERS_HOME/.installed"
  log "installed the Python test peers in $((SECONDS - started)) s"
}

install_minio() { minio_installed || with_lock minio install_minio_locked; }
install_mlflow() { mlflow_installed || with_lock mlflow install_mlflow_locked; }
install_pypeers() { pypeers_installed || with_lock pypeers install_pypeers_locked; }

# A free TCP port on 127.0.0.1, asked from the kernel (bind to port 0). Node is always present in this repo;
# the tiny window between closing it and the server binding it is covered by the readiness check failing loudly.
free_port() {
  node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close();});'
}

# Each server runs in its own session (setsid, util-linux) so `stop` can signal the whole process group: MLflow's
# CLI forks a uvicorn server process that would otherwise outlive it. Without setsid (macOS) only the pid is signalled.
# (A variable, not a function: `$!` must be the server's own pid, which a backgrounded function would not give.)
SETSID="$(command -v setsid || true)"

random_secret() { node -e 'process.stdout.write(require("node:crypto").randomBytes(18).toString("hex"))'; }

json_escape() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }

# wait_ready <name> <pid> <url> <logfile>: polls until the URL answers 200, the process dies, or the timeout.
wait_ready() {
  local name="$1" pid="$2" url="$3" logfile="$4" waited=0
  while [ "$waited" -lt $((READY_TIMEOUT_S * 4)) ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$logfile" >&2
      die 4 "$name exited before it became ready (log: $logfile)"
    fi
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    sleep 0.25; waited=$((waited + 1))
  done
  tail -n 30 "$logfile" >&2
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  die 4 "$name not ready at $url after ${READY_TIMEOUT_S} s (log: $logfile)"
}

# Written as soon as a server is spawned, so `stop` finds it even if this script is killed before it is ready.
starting_state() { printf '{"service":"%s","pid":%s,"status":"starting"}\n' "$1" "$2" >"$RUN_DIR/$1.json"; }

minio_version() {
  # `go install` builds carry no release tag in `minio --version`; the module version from the build info is exact.
  local v
  v="$("$GO" version -m "$MINIO_BIN" 2>/dev/null | awk '$1 == "mod" { print $3; exit }')"
  printf '%s' "${v:-$MINIO_VERSION}"
}

mlflow_version() { "$MLFLOW_HOME/venv/bin/python" -c 'import mlflow; print(mlflow.__version__, end="")'; }

start_minio() {
  install_minio || exit $?
  running minio && { log "minio already running ($(state_field minio endpoint))"; return 0; }
  local port user secret data logfile pid started=$SECONDS
  port="$(free_port)"; user="trademl-$(random_secret | cut -c1-8)"; secret="$(random_secret)"
  data="$RUN_DIR/minio-data"; logfile="$RUN_DIR/minio.log"
  mkdir -p "$data"
  # MINIO_BROWSER=off: no console listener on a second random port. MINIO_UPDATE=off: no update check (offline).
  # MINIO_CI_CD=on: allow a data dir on the root drive, as in any CI container (MinIO's own CI switch).
  MINIO_ROOT_USER="$user" MINIO_ROOT_PASSWORD="$secret" MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CI_CD=on \
    MINIO_REGION=us-east-1 $SETSID nohup "$MINIO_BIN" server --quiet --address "127.0.0.1:$port" "$data" \
    >"$logfile" 2>&1 </dev/null &
  pid=$!
  starting_state minio "$pid"
  # Readiness per https://min.io/docs/minio/linux/operations/monitoring/healthcheck-probe.html (/minio/health/ready).
  wait_ready minio "$pid" "http://127.0.0.1:$port/minio/health/ready" "$logfile"
  local version
  version="$(minio_version)"
  cat >"$RUN_DIR/minio.json" <<JSON
{"service":"minio","pid":$pid,"status":"ready","port":$port,"version":"$(json_escape "$version")","endpoint":"http://127.0.0.1:$port","region":"us-east-1","accessKeyId":"$(json_escape "$user")","secretAccessKey":"$(json_escape "$secret")","dataDir":"$(json_escape "$data")","log":"$(json_escape "$logfile")"}
JSON
  log "minio $version ready at http://127.0.0.1:$port (pid $pid, $((SECONDS - started)) s)"
}

start_mlflow() {
  install_mlflow || exit $?
  running mlflow && { log "mlflow already running ($(state_field mlflow trackingUri))"; return 0; }
  local port data logfile pid started=$SECONDS
  port="$(free_port)"; data="$RUN_DIR/mlflow-data"; logfile="$RUN_DIR/mlflow.log"
  mkdir -p "$data/artifacts"
  # Offline: MLFLOW_DISABLE_TELEMETRY / DO_NOT_TRACK opt out of the usage telemetry MLflow >= 3.2 sends by default
  # (https://mlflow.org/docs/latest/community/usage-tracking). The SQLite backend and the artifact store stay under
  # the run dir. Artifacts are served through the server (--serve-artifacts, the 3.x default, made explicit) so an
  # HTTP-only client such as the training gate can upload them; the new-experiment default root is then the
  # mlflow-artifacts:/ proxy. MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false: no background job runner (GenAI jobs,
  # a dozen huey processes); the gate only needs tracking. --workers 1: the tests are the only client and the
  # machine is small. The server runs with its cwd in the data dir so nothing (mlruns/, mlartifacts/) lands in
  # the repo.
  ( cd "$data" && MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true \
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false PYTHONUNBUFFERED=1 exec $SETSID nohup \
      "$MLFLOW_BIN" server \
      --backend-store-uri "sqlite:///$data/mlflow.db" \
      --serve-artifacts --artifacts-destination "$data/artifacts" \
      --host 127.0.0.1 --port "$port" --workers 1 \
      >"$logfile" 2>&1 </dev/null ) &
  pid=$!
  starting_state mlflow "$pid"
  wait_ready mlflow "$pid" "http://127.0.0.1:$port/health" "$logfile"
  local version
  version="$(mlflow_version)"
  cat >"$RUN_DIR/mlflow.json" <<JSON
{"service":"mlflow","pid":$pid,"status":"ready","port":$port,"version":"$(json_escape "$version")","trackingUri":"http://127.0.0.1:$port","dataDir":"$(json_escape "$data")","log":"$(json_escape "$logfile")"}
JSON
  log "mlflow $version ready at http://127.0.0.1:$port (pid $pid, $((SECONDS - started)) s)"
}

pypeers_version() {
  "$PYPEERS_PY" -c 'import importlib.metadata as m; print(", ".join(f"{p} {m.version(p)}" for p in ("skfolio", "scikit-learn", "numpy")), end="")'
}

start_pypeers() {
  install_pypeers || exit $?
  local version
  version="$(pypeers_version)" || die 4 "the Python test peers at $PYPEERS_PY do not import"
  # No server and no pid: the state file only tells the vitest global setup which python to run.
  cat >"$RUN_DIR/pypeers.json" <<JSON
{"service":"pypeers","status":"ready","version":"$(json_escape "$version")","python":"$(json_escape "$PYPEERS_PY")"}
JSON
  log "pypeers ready: $version ($PYPEERS_PY)"
}

state_field() { sed -n "s/.*\"$2\":\"\\{0,1\\}\\([^,\"}]*\\).*/\\1/p" "$RUN_DIR/$1.json" 2>/dev/null; }
running() { local pid; pid="$(state_field "$1" pid)"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

stop_one() {
  local name="$1" pid waited=0
  if [ "$name" = pypeers ]; then rm -f "$RUN_DIR/pypeers.json"; return 0; fi
  pid="$(state_field "$name" pid)"
  if [ -z "$pid" ]; then log "$name: not started here"; return 0; fi
  # The pid leads its own process group when setsid ran (see SETSID); signal the group, else the pid alone.
  local target="$pid"
  kill -0 -- "-$pid" 2>/dev/null && target="-$pid"
  if kill -0 -- "$target" 2>/dev/null; then
    kill -TERM -- "$target" 2>/dev/null
    while kill -0 -- "$target" 2>/dev/null && [ "$waited" -lt 40 ]; do sleep 0.25; waited=$((waited + 1)); done
    if kill -0 -- "$target" 2>/dev/null; then log "$name (pid $pid) ignored TERM; killing"; kill -KILL -- "$target" 2>/dev/null; fi
  fi
  rm -f "$RUN_DIR/$name.json"
  log "$name stopped (pid $pid)"
}

status_one() {
  local name="$1"
  if [ ! -f "$RUN_DIR/$name.json" ]; then echo "$name: not running (no state in $RUN_DIR)"; return 0; fi
  # The MinIO secret is a throwaway per start, but secrets never reach a log (DESIGN.md), CI logs included.
  if [ "$name" = pypeers ]; then echo "pypeers: $(cat "$RUN_DIR/pypeers.json")"; return 0; fi
  if running "$name"; then echo "$name: running $(sed 's/"secretAccessKey":"[^"]*"/"secretAccessKey":"***"/' "$RUN_DIR/$name.json")"
  else echo "$name: dead (stale state $RUN_DIR/$name.json)"; fi
}

versions_one() {
  case "$1" in
    minio)
      if minio_installed; then echo "minio: pinned $MINIO_MODULE@$MINIO_VERSION, installed $(minio_version) at $MINIO_BIN"
      else echo "minio: pinned $MINIO_MODULE@$MINIO_VERSION, not installed"; fi ;;
    mlflow)
      if mlflow_installed; then echo "mlflow: pinned mlflow==$MLFLOW_VERSION, installed $(mlflow_version) at $MLFLOW_BIN"
      else echo "mlflow: pinned mlflow==$MLFLOW_VERSION, not installed"; fi ;;
    pypeers)
      local pins
      pins="$(grep -E '^[a-z]' "$PYPEERS_REQUIREMENTS" | tr '\n' ' ')"
      if pypeers_installed; then echo "pypeers: pinned $pins, installed $(pypeers_version) at $PYPEERS_PY"
      else echo "pypeers: pinned $pins, not installed"; fi ;;
  esac
}

# Installs the named services concurrently; returns the first failure's exit code (3 missing tool, 4 failed)
# and leaves the names that failed in FAILED_INSTALLS.
FAILED_INSTALLS=""
install_parallel() {
  local names=("$@") pids=() rc=0 i code
  for s in "${names[@]}"; do ( "install_$s" ) & pids+=("$!"); done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" && continue
    code=$?
    FAILED_INSTALLS="$FAILED_INSTALLS ${names[$i]}"
    [ "$rc" -ne 0 ] || rc=$code
  done
  return "$rc"
}

main() {
  local action="${1:-}" which="${2:-all}" services
  case "$which" in
    minio|mlflow|pypeers) services="$which" ;;
    all) services="minio mlflow pypeers" ;;
    *) die 2 "unknown service '$which' (minio, mlflow, pypeers or all)" ;;
  esac
  case "$action" in
    install) install_parallel $services || exit $? ;;
    start)
      mkdir -p "$RUN_DIR"
      # Install first, both at once (an uncached MinIO build is minutes of CPU, MLflow's pip mostly network), so
      # one missing toolchain does not delay the other service; then start each.
      # A service that fails does not stop the others from starting; the exit code is the first failure's.
      local rc=0
      install_parallel $services || rc=$?
      for s in $services; do
        case " $FAILED_INSTALLS " in *" $s "*) continue ;; esac
        ( "start_$s" ) || { local code=$?; [ "$rc" -ne 0 ] || rc=$code; }
      done
      exit "$rc" ;;
    stop) for s in $services; do stop_one "$s"; done ;;
    status) for s in $services; do status_one "$s"; done ;;
    versions) for s in $services; do versions_one "$s"; done ;;
    *) die 2 "usage: $0 {install|start|stop|status|versions} [minio|mlflow|pypeers|all]" ;;
  esac
}

main "$@"
