/**
 * The JavaScript runtime is one trademl supports: Node >= 20.19 (the first 20.x with `require(esm)` on by
 * default and `util.parseEnv`, which the config loader uses) or Deno >= 2.
 */
import type { CheckResult, DoctorCheck } from "./types.ts";

const NODE_MIN: readonly [number, number] = [20, 19];
const DENO_MIN_MAJOR = 2;

function parseVersion(version: string): [number, number] {
  const [major, minor] = version.split(".").map((part) => Number.parseInt(part, 10));
  return [major ?? 0, minor ?? 0];
}

export function judgeRuntime(runtime: { deno?: string; node?: string }): CheckResult {
  if (runtime.deno !== undefined) {
    const [major] = parseVersion(runtime.deno);
    return major >= DENO_MIN_MAJOR
      ? { status: "ok", detail: `Deno ${runtime.deno}` }
      : { status: "fail", detail: `Deno ${runtime.deno} is too old; trademl needs Deno ${DENO_MIN_MAJOR} or later` };
  }
  if (runtime.node === undefined) return { status: "fail", detail: "unknown JavaScript runtime; trademl needs Node or Deno" };
  const [major, minor] = parseVersion(runtime.node);
  const fine = major > NODE_MIN[0] || (major === NODE_MIN[0] && minor >= NODE_MIN[1]);
  return fine
    ? { status: "ok", detail: `Node ${runtime.node} (>= ${NODE_MIN.join(".")} required)` }
    : { status: "fail", detail: `Node ${runtime.node} is too old; install Node ${NODE_MIN.join(".")} or later (https://nodejs.org)` };
}

export const runtimeCheck: DoctorCheck = {
  name: "runtime",
  kind: "config",
  description: "Node >= 20.19 or Deno >= 2",
  async run() {
    const deno = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno?.version?.deno;
    return judgeRuntime(deno === undefined ? { node: process.versions.node } : { deno });
  },
};
