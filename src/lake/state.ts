/**
 * Small mutable state objects (bookmarks, budgets, backfill marks) under `state/`, each updated by
 * compare-and-swap on its ETag (DESIGN.md: "Single mutable objects ... are updated by compare-and-swap").
 * An update is a pure function of the current value, re-run on every lost race, so concurrent updaters
 * never lose each other's changes.
 */
import { z } from "zod";
import { DataError } from "../domain/errors.ts";
import { sleep } from "../domain/sleep.ts";
import { fullJitterDelay } from "./backoff.ts";
import { assertValidKey } from "./keys.ts";
import { readManifest } from "./manifest.ts";
import type { ObjectStore, StateRef } from "./types.ts";

/** Returned by an updater to leave the object unchanged (no write happens). */
export const UNCHANGED: unique symbol = Symbol("unchanged");
export type Updater<T> = (current: T | undefined) => T | typeof UNCHANGED;

export async function readState<T>(store: ObjectStore, key: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<StateRef<T> | undefined> {
  assertValidKey(key);
  const object = await store.get(key, signal === undefined ? {} : { signal });
  if (object === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(object.body));
  } catch (error) {
    throw new DataError("state_corrupt", `state object "${key}" is not valid JSON`, { cause: error, details: { key } });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new DataError("state_corrupt", `state object "${key}" does not match its schema: ${parsed.error.issues[0]?.message ?? "invalid"}`, { cause: parsed.error, details: { key } });
  }
  return { key, value: parsed.data, etag: object.etag };
}

/**
 * One compare-and-swap write of a state object: create-only when `etag` is undefined, else only over that ETag.
 * The value is checked against its schema first, so nothing invalid reaches the lake. Returns the stored state,
 * or undefined when another writer got there first (re-read and retry, or give up).
 */
export async function writeState<T>(
  store: ObjectStore,
  key: string,
  schema: z.ZodType<T>,
  value: T,
  etag: string | undefined,
  signal?: AbortSignal,
): Promise<StateRef<T> | undefined> {
  assertValidKey(key);
  const checked = schema.safeParse(value);
  if (!checked.success) throw new DataError("state_invalid", `refusing to write an invalid value to "${key}": ${checked.error.issues[0]?.message ?? "invalid"}`);
  const result = await store.put(key, JSON.stringify(checked.data), {
    condition: etag === undefined ? { ifNoneMatch: "*" } : { ifMatch: etag },
    contentType: "application/json",
    ...(signal === undefined ? {} : { signal }),
  });
  return result.ok ? { key, value: checked.data, etag: result.etag } : undefined;
}

/**
 * Applies `update` by CAS until it lands (create-only when the object is missing). Returns the stored state,
 * or the unchanged current state when the updater returned UNCHANGED.
 */
export async function updateState<T>(
  store: ObjectStore,
  key: string,
  schema: z.ZodType<T>,
  update: Updater<T>,
  options: { readonly maxAttempts?: number; readonly signal?: AbortSignal } = {},
): Promise<StateRef<T> | undefined> {
  const maxAttempts = options.maxAttempts ?? 50;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    options.signal?.throwIfAborted();
    const current = await readState(store, key, schema, options.signal);
    const next = update(current?.value);
    if (next === UNCHANGED) return current;
    const written = await writeState(store, key, schema, next, current?.etag, options.signal);
    if (written !== undefined) return written;
    await sleep(fullJitterDelay(attempt, { baseMs: 5, capMs: 500 }), options.signal);
  }
  throw new DataError("state_contention", `state object "${key}" changed under ${maxAttempts} update attempts in a row`);
}

// --- Bookmarks: how far a dataset has been collected and committed -------------------------------------

export const bookmarkSchema = z.strictObject({
  format: z.literal(1),
  vendor: z.string().min(1),
  dataset: z.string().min(1),
  /** The table whose commit covers the data up to `through`. */
  table: z.string().min(1),
  /** Inclusive upper bound of what is committed: a date (YYYY-MM-DD) or an ISO timestamp. */
  through: z.string().min(1),
  /** The manifest seq that contains that data. */
  manifest_seq: z.number().int().positive(),
  updated_at: z.iso.datetime(),
});
export type Bookmark = z.infer<typeof bookmarkSchema>;

export function bookmarkKey(vendor: string, dataset: string): string {
  const key = `state/bookmarks/${vendor}/${dataset}.json`;
  assertValidKey(key);
  return key;
}

export function readBookmark(store: ObjectStore, vendor: string, dataset: string): Promise<StateRef<Bookmark> | undefined> {
  return readState(store, bookmarkKey(vendor, dataset), bookmarkSchema);
}

/**
 * Moves a bookmark forward to `through`, only after the data it covers is committed: the manifest
 * `table@manifestSeq` must exist. A bookmark never moves backwards (an older `through` leaves it unchanged).
 */
export async function advanceBookmark(
  store: ObjectStore,
  args: { readonly vendor: string; readonly dataset: string; readonly table: string; readonly through: string; readonly manifestSeq: number },
): Promise<StateRef<Bookmark>> {
  // Throws manifest_missing when the commit is not there: a bookmark must never run ahead of the data.
  await readManifest(store, args.table, { seq: args.manifestSeq });
  const now = (await store.serverTime()).toISOString();
  const result = await updateState(store, bookmarkKey(args.vendor, args.dataset), bookmarkSchema, (current) => {
    if (current !== undefined && current.through >= args.through) return UNCHANGED;
    return { format: 1 as const, vendor: args.vendor, dataset: args.dataset, table: args.table, through: args.through, manifest_seq: args.manifestSeq, updated_at: now };
  });
  if (result === undefined) throw new DataError("state_invalid", `bookmark ${args.vendor}/${args.dataset} could not be written`);
  return result;
}

// --- Budgets: shared request budgets per vendor and window ---------------------------------------------

export const budgetSchema = z.strictObject({
  format: z.literal(1),
  vendor: z.string().min(1),
  window_ms: z.number().int().positive(),
  window_start: z.iso.datetime(),
  used: z.number().int().nonnegative(),
  limit: z.number().int().nonnegative(),
  updated_at: z.iso.datetime(),
});
export type Budget = z.infer<typeof budgetSchema>;

export function budgetKey(vendor: string): string {
  const key = `state/budgets/${vendor}.json`;
  assertValidKey(key);
  return key;
}

/**
 * Takes `amount` units from the vendor's shared budget for the current window (store clock). Grants all or
 * nothing; a new window starts when the old one has passed.
 */
export async function consumeBudget(
  store: ObjectStore,
  args: { readonly vendor: string; readonly amount: number; readonly limit: number; readonly windowMs: number },
): Promise<{ readonly granted: boolean; readonly remaining: number; readonly budget: Budget }> {
  if (!Number.isInteger(args.amount) || args.amount <= 0) throw new DataError("invalid_budget", `budget amount must be a positive integer, got ${args.amount}`);
  const now = await store.serverTime();
  let granted = false;
  const result = await updateState(store, budgetKey(args.vendor), budgetSchema, (current) => {
    const fresh = current === undefined || now.getTime() >= Date.parse(current.window_start) + current.window_ms || current.window_ms !== args.windowMs;
    const used = fresh ? 0 : current.used;
    granted = used + args.amount <= args.limit;
    if (!granted && !fresh) return UNCHANGED;
    return {
      format: 1 as const,
      vendor: args.vendor,
      window_ms: args.windowMs,
      window_start: fresh ? now.toISOString() : current.window_start,
      used: granted ? used + args.amount : used,
      limit: args.limit,
      updated_at: now.toISOString(),
    };
  });
  if (result === undefined) throw new DataError("invalid_budget", `budget for ${args.vendor} could not be read`);
  return { granted, remaining: Math.max(0, result.value.limit - result.value.used), budget: result.value };
}

// --- Marks: how far a backfill sweep has reached per dataset -------------------------------------------

export const markSchema = z.strictObject({
  format: z.literal(1),
  name: z.string().min(1),
  /** Inclusive position reached: a date or ISO timestamp. */
  through: z.string().min(1),
  /** Free-form counters for operators (rows, requests); numbers only, never secrets. */
  counters: z.record(z.string(), z.number()),
  updated_at: z.iso.datetime(),
});
export type Mark = z.infer<typeof markSchema>;

export function markKey(name: string): string {
  const key = `state/marks/${name}.json`;
  assertValidKey(key);
  return key;
}

/** Sets a mark to `through` when that is further than its current value; merges counters by addition. */
export async function advanceMark(
  store: ObjectStore,
  args: { readonly name: string; readonly through: string; readonly counters?: Readonly<Record<string, number>> },
): Promise<StateRef<Mark>> {
  const now = (await store.serverTime()).toISOString();
  const result = await updateState(store, markKey(args.name), markSchema, (current) => {
    const counters: Record<string, number> = { ...(current?.counters ?? {}) };
    for (const [name, value] of Object.entries(args.counters ?? {})) counters[name] = (counters[name] ?? 0) + value;
    const through = current !== undefined && current.through >= args.through ? current.through : args.through;
    if (current !== undefined && through === current.through && args.counters === undefined) return UNCHANGED;
    return { format: 1 as const, name: args.name, through, counters, updated_at: now };
  });
  if (result === undefined) throw new DataError("state_invalid", `mark ${args.name} could not be written`);
  return result;
}
