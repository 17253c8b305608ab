/**
 * The manifest's JSON format and its zod schema, and the upgrade of older formats on read.
 *
 * Format 2 gives each kind of fact about a part a field of its own: `min`/`max` hold column bounds only, `unit`
 * the range a collected part answers for, `ledger` what an audit-ledger part was built from. Format 1 kept the
 * last two inside `min`/`max` (`unit_start`, `unit_end`, `cursor_next`; `inputs`, `qc`, `green`, `amber`,
 * `red`), where a reader could not tell them from a column of that name. A format-1 manifest is upgraded as it
 * is read, so lakes written before the change keep their coverage and their audit fast path; every commit
 * writes format 2, so a table moves to the new format with its next commit.
 */
import { z } from "zod";

const statValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");
const count = z.number().int().nonnegative();

export const partUnitSchema = z.strictObject({
  start: isoDate,
  end: isoDate,
  cursor_next: z.string().optional(),
});

export const partLedgerSchema = z.strictObject({
  year: z.number().int().min(1800).max(9999).optional(),
  inputs: z.string().nullable(),
  qc: z.string().nullable(),
  counts: z.strictObject({ green: count, amber: count, red: count }),
});

export const partFileSchema = z.strictObject({
  key: z.string().min(1),
  rows: count,
  bytes: count,
  min: z.record(z.string(), statValue).optional(),
  max: z.record(z.string(), statValue).optional(),
  symbols: z.array(z.string()).optional(),
  etag: z.string().optional(),
  unit: partUnitSchema.optional(),
  ledger: partLedgerSchema.optional(),
});

export const MANIFEST_FORMAT = 2;

export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  table: z.string(),
  seq: z.number().int().positive(),
  parent: z.number().int().positive().nullable(),
  writer_epoch: z.number().int().nonnegative(),
  max_epoch: z.number().int().nonnegative(),
  fences: z.record(z.string(), z.number().int().nonnegative()).optional(),
  operation: z.enum(["append", "replace", "compact", "create"]),
  files: z.array(partFileSchema),
  removed: z.array(z.string()),
  created: z.string(),
  writer: z.string().optional(),
});

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function without(stats: Json, names: readonly string[]): Json | undefined {
  const kept = Object.fromEntries(Object.entries(stats).filter(([name]) => !names.includes(name)));
  return Object.keys(kept).length === 0 ? undefined : kept;
}

/** A format-1 part entry with its non-column facts moved out of `min`/`max`. */
function upgradePart(part: unknown): unknown {
  if (!isRecord(part)) return part;
  const min = isRecord(part["min"]) ? part["min"] : {};
  const max = isRecord(part["max"]) ? part["max"] : {};
  const out: Json = { ...part };
  const start = min["unit_start"];
  const end = max["unit_end"];
  if (typeof start === "string" && typeof end === "string") {
    const next = max["cursor_next"];
    out["unit"] = { start, end, ...(typeof next === "string" ? { cursor_next: next } : {}) };
  }
  const [green, amber, red] = [min["green"], min["amber"], min["red"]];
  if (typeof green === "number" && typeof amber === "number" && typeof red === "number") {
    const inputs = min["inputs"];
    const qc = min["qc"];
    out["ledger"] = { inputs: typeof inputs === "string" ? inputs : null, qc: typeof qc === "string" ? qc : null, counts: { green, amber, red } };
  }
  const newMin = without(min, out["ledger"] === undefined ? ["unit_start"] : ["unit_start", "inputs", "qc", "green", "amber", "red"]);
  const newMax = without(max, ["unit_end", "cursor_next"]);
  delete out["min"];
  delete out["max"];
  return { ...out, ...(newMin === undefined ? {} : { min: newMin }), ...(newMax === undefined ? {} : { max: newMax }) };
}

/** Parsed manifest JSON in the current format: a format-1 body is upgraded; anything else is left to the schema. */
export function upgradeManifestJson(json: unknown): unknown {
  if (!isRecord(json) || json["format"] !== 1) return json;
  const files = Array.isArray(json["files"]) ? json["files"].map(upgradePart) : json["files"];
  return { ...json, format: MANIFEST_FORMAT, files };
}
