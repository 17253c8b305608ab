/**
 * The checks `trademl doctor` runs, in order.
 *
 * EXTENSION POINT — to add a check:
 *   1. Write `src/doctor/<topic>-check.ts` exporting a `DoctorCheck` (see ./types.ts): a kebab-case
 *      `name`, a `kind` that decides the exit code on failure (config → 2, io → 3, kernel → 4), a
 *      one-line `description`, and `run(ctx)` returning `{ status: "ok" | "warn" | "fail" | "skip", detail }`.
 *      Use `await ctx.config()` for the validated configuration (undefined when invalid: return `skip`).
 *      Throwing is allowed — the runner turns it into `fail` with the (redacted) message — but a
 *      deliberate result reads better. Never put a secret in `detail`.
 *   2. Import it below and append ONE entry to `doctorChecks`. Keep cheap, local checks first. A check that
 *      calls out beyond the lake (a vendor) sets `online: true`: it runs only under `trademl doctor --online`.
 * The lake engineer's object-store conformance probe goes in as `src/doctor/lake-probe-check.ts`.
 */
import { configCheck } from "./config-check.ts";
import { kernelsCheck } from "./kernels-check.ts";
import { lakeLocalCheck } from "./lake-local-check.ts";
import { lakeProbeCheck } from "./lake-probe-check.ts";
import { runtimeCheck } from "./runtime-check.ts";
import type { DoctorCheck } from "./types.ts";
import { vendorKeysCheck } from "./vendor-keys-check.ts";
import { vendorReachCheck } from "./vendor-reach-check.ts";

export const doctorChecks: DoctorCheck[] = [
  runtimeCheck,
  kernelsCheck,
  configCheck,
  vendorKeysCheck,
  lakeLocalCheck,
  lakeProbeCheck,
  vendorReachCheck,
];
