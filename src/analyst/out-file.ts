/**
 * Files trademl writes for people: `trademl sql --format parquet --out <file>` and `trademl catalog export <file>`.
 * Never inside a local lake's root (a file there could shadow or replace a part, or be mistaken for one), whatever
 * the flags. The read-only SQL session writes `--out` only through one temp file beside it, allowed by exact path
 * before the configuration is locked, then renamed into place so a failed query leaves no half-written file.
 */
import { randomUUID } from "node:crypto";
import { realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { UsageError } from "../domain/errors.ts";
import { LocalStore } from "../lake/local-store.ts";
import type { ObjectStore } from "../lake/types.ts";

/** The path with symbolic links of its existing ancestors resolved (the file itself may not exist yet). */
async function physicalPath(path: string): Promise<string> {
  const real = await realpath(path).catch(() => undefined);
  if (real !== undefined) return real;
  const parent = dirname(path);
  return parent === path ? path : join(await physicalPath(parent), basename(path));
}

function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!isAbsolute(rel) && rel !== ".." && !rel.startsWith(`..${sep}`));
}

export interface ParquetOut {
  /** The file the user asked for (absolute). */
  readonly target: string;
  /** Where DuckDB writes first (allowed by exact path in the read-only session). */
  readonly temp: string;
}

/**
 * UsageError "out_inside_lake" when `file` (resolved, symbolic links followed) lies inside a local lake's root:
 * what trademl writes for people (`--out`, a catalog) must never land among the lake's objects.
 */
export async function assertOutsideLake(file: string, store: ObjectStore, what: string): Promise<void> {
  if (!(store instanceof LocalStore)) return;
  const [path, root] = await Promise.all([physicalPath(resolve(file)), physicalPath(store.root)]);
  if (isWithin(path, root)) {
    throw new UsageError("out_inside_lake", `${what} ${resolve(file)} is inside the lake (${store.description}): trademl never writes it into the lake; choose a path outside LAKE_ROOT`);
  }
}

/** Checks `out` (assertOutsideLake) and names its temp file. */
export async function planParquetOut(out: string, store: ObjectStore): Promise<ParquetOut> {
  await assertOutsideLake(out, store, "--out");
  const target = resolve(out);
  return { target, temp: join(dirname(target), `.${basename(target)}.tmp-${randomUUID()}`) };
}
