/**
 * Snapshot pins: a backtest or a model run records the manifest seqs it read, so that the exact data stays
 * readable (`readManifest(store, table, { seq })`) for as long as the run matters. Manifest expiry never deletes a
 * pinned seq, and garbage collection keeps every part that any remaining manifest lists, so a pinned snapshot's
 * parts outlive compaction (issue 11, "Compaction keeps what pinned snapshots need").
 *
 * One record per run, `state/pins/<kind>/<id>.json`, updated by compare-and-swap like every state object. Removing
 * the record (or letting its `expires_at` pass) releases everything it pinned; nothing else refers to it.
 *
 * A pin is written first and its manifests checked afterwards: expiry reads the pins before it deletes, so of a
 * pin and an expiry racing, either expiry sees the pin or the pinner sees its manifest gone (and says so).
 */
import { z } from "zod";
import { DataError, UsageError } from "../domain/errors.ts";
import { assertValidKey, assertValidTable, PIN_PREFIX } from "./keys.ts";
import { readManifest } from "./manifest.ts";
import { readState, updateState, UNCHANGED } from "./state.ts";
import type { ObjectStore } from "./types.ts";

/** Who pins: a backtest, a training run, or an operator by hand (`trademl lake pin`). */
export const PIN_KINDS = ["backtest", "model_run", "manual"] as const;
export type PinKind = (typeof PIN_KINDS)[number];

const seq = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const pinSchema = z.strictObject({
  format: z.literal(1),
  kind: z.enum(PIN_KINDS),
  /** The run's own id (e.g. an MLflow run id or a backtest name); one lake key segment. */
  id: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.=+,-]*$/, "expected a key segment: letters, digits, _ . = + , -"),
  /** Table → the manifest seqs the run read from it, ascending. */
  tables: z.record(z.string(), z.array(seq).min(1)),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  /** Store time after which the pin retains nothing; absent = until the record is removed. */
  expires_at: z.iso.datetime().optional(),
  /** Free text for operators ("backtest of model v3 for the 2024 review"). Never secrets. */
  note: z.string().max(500).optional(),
});
export type Pin = z.infer<typeof pinSchema>;

export function pinKey(kind: PinKind, id: string): string {
  if (!pinSchema.shape.id.safeParse(id).success) {
    throw new UsageError("invalid_pin_id", `pin id "${id}" must be one lake key segment (letters, digits, _ . = + , -; not starting with "." or "@")`);
  }
  const key = `${PIN_PREFIX}${kind}/${id}.json`;
  assertValidKey(key);
  return key;
}

export interface PinRequest {
  readonly kind: PinKind;
  readonly id: string;
  /** Table → seq (or seqs) to keep readable. Seqs are added to what the record already pins. */
  readonly tables: Readonly<Record<string, number | readonly number[]>>;
  readonly note?: string;
  /** When the pin stops retaining anything (store time). */
  readonly expiresAt?: Date;
  readonly signal?: AbortSignal;
}

function seqsOf(value: number | readonly number[]): number[] {
  return typeof value === "number" ? [value] : [...value];
}

/**
 * Pins manifest seqs for a run, merging with what the run pinned before. Every pinned seq must exist: a missing
 * one is a DataError (`manifest_missing`) naming table and seq, and is not left pinned.
 */
export async function pinSnapshots(store: ObjectStore, request: PinRequest): Promise<Pin> {
  const key = pinKey(request.kind, request.id);
  const wanted = Object.entries(request.tables).map(([table, value]) => ({ table, seqs: seqsOf(value) }));
  if (wanted.length === 0) throw new UsageError("pin_empty", `pin ${request.kind}/${request.id} names no table`);
  for (const { table, seqs } of wanted) {
    assertValidTable(table);
    for (const s of seqs) {
      if (!seq.safeParse(s).success) throw new UsageError("invalid_seq", `pin ${request.kind}/${request.id}: seq ${s} of table "${table}" is not a positive whole number`);
    }
  }
  const signal = request.signal;
  const now = (await store.serverTime(signal === undefined ? {} : { signal })).toISOString();
  const written = await updateState(store, key, pinSchema, (current) => {
    const tables: Record<string, number[]> = {};
    for (const [table, seqs] of Object.entries(current?.tables ?? {})) tables[table] = [...seqs];
    for (const { table, seqs } of wanted) tables[table] = [...new Set([...(tables[table] ?? []), ...seqs])].sort((a, b) => a - b);
    return {
      format: 1 as const,
      kind: request.kind,
      id: request.id,
      tables,
      created_at: current?.created_at ?? now,
      updated_at: now,
      ...(request.expiresAt === undefined ? (current?.expires_at === undefined ? {} : { expires_at: current.expires_at }) : { expires_at: request.expiresAt.toISOString() }),
      ...(request.note === undefined ? (current?.note === undefined ? {} : { note: current.note }) : { note: request.note }),
    };
  }, signal === undefined ? {} : { signal });
  if (written === undefined) throw new DataError("pin_failed", `pin ${key} could not be written`);
  // After the write: an expiry that ran before it may have deleted a seq we meant to keep.
  for (const { table, seqs } of wanted) {
    for (const s of seqs) {
      try {
        await readManifest(store, table, { seq: s, ...(signal === undefined ? {} : { signal }) });
      } catch (error) {
        await unpinSeqs(store, request.kind, request.id, table, seqs).catch(() => undefined);
        throw error;
      }
    }
  }
  return written.value;
}

async function unpinSeqs(store: ObjectStore, kind: PinKind, id: string, table: string, seqs: readonly number[]): Promise<void> {
  const drop = new Set(seqs);
  await updateState(store, pinKey(kind, id), pinSchema, (current) => {
    if (current === undefined) return UNCHANGED;
    const tables = Object.fromEntries(
      Object.entries(current.tables)
        .map(([name, pinned]) => [name, name === table ? pinned.filter((s) => !drop.has(s)) : pinned] as const)
        .filter(([, pinned]) => pinned.length > 0),
    );
    return { ...current, tables };
  });
}

/** Removes a run's pin record; its seqs become expirable. True when there was one. */
export async function removePin(store: ObjectStore, kind: PinKind, id: string, signal?: AbortSignal): Promise<boolean> {
  const key = pinKey(kind, id);
  const existing = await readState(store, key, pinSchema, signal);
  if (existing === undefined) return false;
  await store.delete(key, signal === undefined ? {} : { signal });
  return true;
}

/**
 * Every pin record in the lake. A record that cannot be read is a DataError naming its key: retention that
 * guesses could delete what a run still needs, so callers that delete (expiry) stop instead.
 */
export async function listPins(store: ObjectStore, signal?: AbortSignal): Promise<Pin[]> {
  const pins: Pin[] = [];
  const options = signal === undefined ? {} : { signal };
  for await (const entry of store.list(PIN_PREFIX, options)) {
    if (!entry.key.endsWith(".json")) continue;
    const state = await readState(store, entry.key, pinSchema, signal);
    if (state !== undefined) pins.push(state.value);
  }
  return pins;
}

/** The seqs of `table` that unexpired pins keep, at store time `now`. */
export function pinnedSeqs(pins: readonly Pin[], table: string, now: Date): Set<number> {
  const kept = new Set<number>();
  for (const pin of pins) {
    if (pin.expires_at !== undefined && Date.parse(pin.expires_at) <= now.getTime()) continue;
    for (const s of pin.tables[table] ?? []) kept.add(s);
  }
  return kept;
}
