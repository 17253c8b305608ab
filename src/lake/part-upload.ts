/**
 * Uploading one immutable part: create-only under a fresh key, so a part is written once and never replaced
 * (DESIGN.md "The lake protocol"). Every writer of parts goes through here (src/db/part-writer.ts), so "this
 * part already exists" is one error with one exit code wherever it happens.
 */
import { DataError } from "../domain/errors.ts";
import type { ObjectStore } from "./types.ts";

/** A part key that already exists in the store: keys are never reused, so this is a collision or a bug (exit 3). */
export class PartExistsError extends DataError {
  readonly key: string;

  constructor(key: string) {
    super("part_exists", `part "${key}" already exists in the lake; part keys are never reused (a uuidv7 collision, or a writer reusing a key)`, { details: { key } });
    this.key = key;
  }
}

export interface PutPartOptions {
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/** Uploads a local file as part `key`, create-only; returns its ETag. */
export async function putPart(store: ObjectStore, key: string, localPath: string, options: PutPartOptions = {}): Promise<string> {
  const put = await store.putFile(key, localPath, {
    condition: { ifNoneMatch: "*" },
    contentType: options.contentType ?? "application/vnd.apache.parquet",
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!put.ok) throw new PartExistsError(key);
  return put.etag;
}
