/**
 * The gate results a version is registered with. The gates themselves (net Sharpe, deflated Sharpe, PBO,
 * calibration against configs/training/*.yml `promotion_bars`) are computed by the trainer; this module only
 * defines the record and the rule that a version passes when every check passed (and there was at least one).
 */
import { z } from "zod";

export const gateCheckSchema = z.strictObject({
  /** e.g. "net_sharpe", "dsr", "pbo", "calibration". */
  name: z.string().min(1).max(64),
  /** The measured value; null when it could not be computed (which fails the check). */
  value: z.number().nullable(),
  /** The bar from promotion_bars. */
  bar: z.number(),
  /** "min": value must be at least the bar; "max": at most. */
  direction: z.enum(["min", "max"]),
  passed: z.boolean(),
});
export type GateCheck = z.output<typeof gateCheckSchema>;

export interface GateReport {
  readonly passed: boolean;
  readonly checks: readonly GateCheck[];
}

export function gateReport(checks: readonly GateCheck[]): GateReport {
  return { passed: checks.length > 0 && checks.every((check) => check.passed), checks };
}

/** The failing checks in words, for a person: "pbo=0.31 (max 0.05)". */
export function failedChecks(report: GateReport): string {
  if (report.checks.length === 0) return "no gate was evaluated";
  return report.checks
    .filter((check) => !check.passed)
    .map((check) => `${check.name}=${check.value === null ? "n/a" : check.value} (${check.direction} ${check.bar})`)
    .join(", ");
}
