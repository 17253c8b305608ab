/**
 * The lake operations the audit and backfill use, in one place: snapshot manifests and CAS state objects from
 * src/lake (DESIGN.md "The lake protocol"). The rest of src/ssot imports from here only.
 */
import type { z } from "zod";
import { commitChange, readManifest } from "../lake/manifest.ts";
import { readState, UNCHANGED, updateState } from "../lake/state.ts";
import type { ObjectStore } from "../lake/types.ts";

export { commitChange, readManifest };

/**
 * Compare-and-swap update of a small JSON state object. `update` is re-run on every lost race, so concurrent
 * updaters never lose each other's change; returning `undefined` leaves the object as it is.
 */
export async function casUpdate<T>(
  store: ObjectStore,
  key: string,
  schema: z.ZodType<T>,
  update: (current: T | undefined) => T | undefined,
  options: { readonly signal?: AbortSignal } = {},
): Promise<T | undefined> {
  const result = await updateState(store, key, schema, (current) => update(current) ?? UNCHANGED, {
    maxAttempts: 200,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return result?.value;
}

/** Reads a small JSON state object, or undefined when it does not exist. */
export async function readJsonState<T>(store: ObjectStore, key: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T | undefined> {
  return (await readState(store, key, schema, signal))?.value;
}
