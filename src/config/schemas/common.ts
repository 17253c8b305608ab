/**
 * Building blocks shared by the configuration schemas. Every default trademl uses lives in a schema under
 * src/config/schemas/; the YAML files in configs/ only show the values a user would edit.
 */
import { z } from "zod";
import { keySegmentProblem } from "../../lake/keys.ts";

/** The vendors trademl collects from (DESIGN, "Dataflow"). Polygon is also sold as "Massive". */
export const VENDORS = ["alpaca", "polygon", "finnhub", "fred"] as const;
export type Vendor = (typeof VENDORS)[number];
export const vendorName = z.enum(VENDORS);

/** A lower-case identifier such as a table, task or model name. */
export const snakeName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, "expected a lower-case snake_case name (letters, digits, _)");

export const isoDate = z.iso.date().describe("calendar date, YYYY-MM-DD");

/**
 * An equity symbol as vendors spell it (AAPL, BRK.B). Symbols become lake key segments (curated parts are
 * partitioned by symbol), so the lake's own key rule decides which are valid.
 */
export const symbolName = z
  .string()
  .max(64)
  .superRefine((symbol, ctx) => {
    const problem = keySegmentProblem(symbol);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });
export const positiveInt = z.number().int().positive();
export const nonNegativeInt = z.number().int().nonnegative();
/** A fraction in [0, 1], e.g. a coverage ratio. */
export const ratio = z.number().min(0).max(1);

/** Per-vendor integer amounts where every vendor is optional but a misspelt vendor fails. */
export function perVendor<T extends z.ZodType>(value: T) {
  return z.strictObject({
    alpaca: value.optional(),
    polygon: value.optional(),
    finnhub: value.optional(),
    fred: value.optional(),
  });
}

/** Lease timing shared by the curator and the lake: renewal must come well before expiry. */
export const leaseTiming = z
  .strictObject({
    lease_seconds: positiveInt.default(120).describe("how long a lease holds without renewal"),
    renew_seconds: positiveInt.default(45).describe("how often the holder renews; must be below lease_seconds"),
  })
  .refine((lease) => lease.renew_seconds < lease.lease_seconds, {
    message: "renew_seconds must be smaller than lease_seconds, or the lease expires between renewals",
    path: ["renew_seconds"],
  });
