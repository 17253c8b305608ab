/**
 * The read cache: DuckDB reads local files, so a manifest's parts are materialised locally before a query
 * (DESIGN.md: "For S3 the read cache materialises the manifest's parts by ETag").
 *
 * - LocalStore parts are not copied: their version slots are immutable files, read in place.
 * - S3 parts are downloaded once to `<dir>/<sha256(key)>-<etag>.<ext>` (temp + rename, so a reader never sees
 *   a partial file) and reused while the ETag matches. Parts are immutable by protocol, so a hit needs no
 *   request when the manifest recorded the ETag.
 * - The cache is bounded: after each materialisation the least recently used files (by mtime, touched on every
 *   hit) are removed until the total fits `maxBytes`. Files pinned by the current call are never evicted.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, stat, unlink, utimes } from "node:fs/promises";
import { extname, join } from "node:path";
import { DataError, UsageError } from "../domain/errors.ts";
import { LocalStore } from "./local-store.ts";
import type { ObjectStore, PartFile } from "./types.ts";

export interface ReadCacheOptions {
  readonly dir: string;
  /** Upper bound of the cache folder in bytes (default 2 GiB). */
  readonly maxBytes?: number;
}

export interface MaterializeStats {
  hits: number;
  downloads: number;
  bytesDownloaded: number;
  evicted: number;
}

function missingPart(key: string, table: string | undefined): DataError {
  return new DataError(
    "part_missing",
    `part "${key}"${table === undefined ? "" : ` of table "${table}"`} is listed in the manifest but missing from the lake (deleted outside trademl, or garbage-collected too early?)`,
    { details: { key } },
  );
}

export class ReadCache {
  readonly dir: string;
  readonly maxBytes: number;
  readonly stats: MaterializeStats = { hits: 0, downloads: 0, bytesDownloaded: 0, evicted: 0 };

  constructor(options: ReadCacheOptions) {
    const maxBytes = options.maxBytes ?? 2 * 1024 ** 3;
    if (!Number.isFinite(maxBytes) || maxBytes <= 0) throw new UsageError("invalid_cache_size", `read cache size must be positive, got ${maxBytes}`);
    this.dir = options.dir;
    this.maxBytes = maxBytes;
  }

  private cachePath(key: string, etag: string): string {
    const name = createHash("sha256").update(key).digest("hex").slice(0, 32);
    const safeEtag = etag.replace(/[^A-Za-z0-9-]/g, "_");
    return join(this.dir, `${name}-${safeEtag}${extname(key) || ".bin"}`);
  }

  /** Local paths for `files`, in order. Missing parts are a DataError naming the key. */
  async materialize(store: ObjectStore, files: readonly PartFile[], options: { table?: string; signal?: AbortSignal } = {}): Promise<string[]> {
    if (store instanceof LocalStore) {
      const paths: string[] = [];
      for (const file of files) {
        const path = await store.resolvePath(file.key);
        if (path === undefined) throw missingPart(file.key, options.table);
        paths.push(path);
      }
      return paths;
    }
    await mkdir(this.dir, { recursive: true });
    const paths: string[] = [];
    const now = new Date();
    for (const file of files) {
      options.signal?.throwIfAborted();
      let etag = file.etag;
      if (etag === undefined) {
        const head = await store.head(file.key, options.signal === undefined ? {} : { signal: options.signal });
        if (head === undefined) throw missingPart(file.key, options.table);
        etag = head.etag;
      }
      const path = this.cachePath(file.key, etag);
      const hit = await stat(path).then(
        () => true,
        () => false,
      );
      if (hit) {
        this.stats.hits++;
        await utimes(path, now, now).catch(() => undefined);
      } else {
        const got = await store.getToFile(file.key, path, options.signal === undefined ? {} : { signal: options.signal });
        if (got === undefined) throw missingPart(file.key, options.table);
        if (got.etag !== etag && file.etag !== undefined) {
          await unlink(path).catch(() => undefined);
          throw new DataError("part_changed", `part "${file.key}" has ETag ${got.etag} in the lake but ${etag} in the manifest; parts must never be overwritten`, { details: { key: file.key } });
        }
        this.stats.downloads++;
        this.stats.bytesDownloaded += got.size;
      }
      paths.push(path);
    }
    await this.evict(new Set(paths));
    return paths;
  }

  /** Removes least recently used files until the folder fits `maxBytes`; `pinned` files stay. */
  async evict(pinned: ReadonlySet<string> = new Set()): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    const entries: { path: string; size: number; used: number }[] = [];
    for (const name of names) {
      if (name.endsWith(".tmp")) continue;
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile()) entries.push({ path, size: info.size, used: info.mtimeMs });
    }
    let total = entries.reduce((sum, entry) => sum + entry.size, 0);
    entries.sort((a, b) => a.used - b.used);
    for (const entry of entries) {
      if (total <= this.maxBytes) break;
      if (pinned.has(entry.path)) continue;
      await unlink(entry.path).catch(() => undefined);
      total -= entry.size;
      this.stats.evicted++;
    }
  }

  /** Total bytes currently in the cache folder. */
  async size(): Promise<number> {
    const names = await readdir(this.dir).catch(() => []);
    let total = 0;
    for (const name of names) total += (await stat(join(this.dir, name)).catch(() => undefined))?.size ?? 0;
    return total;
  }
}
