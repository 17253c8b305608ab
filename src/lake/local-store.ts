/**
 * LocalStore: the lake in a local directory, with the same conditional-write semantics as S3 and safe when
 * several processes on this machine share the directory.
 *
 * Layout. Every object `<key>` is a directory `<root>/<key>/` holding immutable *version slots*
 * `@v<20-digit n>`; the highest slot is the current version. A slot is created exactly once, atomically:
 *   - a write goes to `<root>/<key>/.tmp-<uuid>`, is fsynced, then hard-linked to the slot name with link(2), which
 *     fails with EEXIST when the slot exists (POSIX link(2); Windows CreateHardLinkW likewise refuses an existing
 *     name). A reader therefore sees either no slot or a complete, fsynced file — never a partial one.
 *   - a delete creates the next slot as an empty *directory* (mkdir(2) is exclusive too): a tombstone.
 * Conditional writes reduce to "create slot n+1 exclusively after checking slot n":
 *   - create-only: the current slot is absent or a tombstone, then link slot n+1;
 *   - compare-and-swap: slot n's ETag equals `ifMatch`, then link slot n+1. If another writer got there first,
 *     link fails with EEXIST and the CAS is refused — exactly one of any set of racers wins each slot.
 * There is no lock, so there is no stale lock to break: a writer killed at any instant leaves at most a temp
 * file (swept by `lake gc`) and the previous version stays current. Slots older than the previous one are
 * pruned; a reader that loses its slot to pruning re-resolves.
 *
 * Every loop that waits for the world to change (a lost link race, a slot pruned under a reader) is bounded,
 * backs off and honours both the caller's and the store's abort signal. A staging file that vanished before it
 * was linked (an external cleaner, `lake gc` with a short grace) is not a lost race: link(2) would fail with
 * ENOENT for ever, so it ends the write at once with `lake_staging_vanished`.
 *
 * ETag = `<version>-<sha256 prefix of the content>`: a content hash, qualified by the version so that a CAS
 * never succeeds across an intervening write (except the harmless case of identical content after a delete).
 *
 * Limits: the directory must be on a local filesystem with hard links (ext4, xfs, btrfs, apfs, NTFS). Network
 * filesystems with weak link(2) semantics are not supported; run `trademl lake probe` to check.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, type Dirent, type Stats } from "node:fs";
import { copyFile, link, lstat, mkdir, open, readdir, readFile, rename, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { IoError, UsageError } from "../domain/errors.ts";
import { sleep } from "../domain/sleep.ts";
import { fullJitterDelay } from "../domain/backoff.ts";
import { assertValidKey, assertValidPrefix } from "./keys.ts";
import type {
  DeleteOptions,
  DeleteResult,
  GetOptions,
  ListEntry,
  ListOptions,
  ObjectHead,
  ObjectStore,
  PutCondition,
  PutOptions,
  PutResult,
  StoredObject,
} from "./types.ts";

const SLOT_PREFIX = "@v";
const SLOT_DIGITS = 20;
const TMP_PREFIX = ".tmp-";
/** Exactly the names `tempPath` makes: `lake gc` never touches a `.tmp-…` file it did not write. */
const TMP_NAME = /^\.tmp-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PRECONDITION_FAILED: PutResult = { ok: false, reason: "precondition_failed" };
/**
 * Attempts per operation when the object changes under us (a lost link race, a slot pruned while read). Each
 * retry follows a real change by another writer, so even heavy contention settles in a handful; the bound only
 * turns an impossible state into an error instead of a spin.
 */
const MAX_ATTEMPTS = 64;
/** Remembered slot hashes (see `slotHash`); the oldest are forgotten first. */
const MAX_REMEMBERED_HASHES = 4096;

export interface LocalStoreOptions {
  readonly root: string;
  /**
   * Ends every retry of this store once aborted, in addition to each call's own signal, which aborts the call
   * outright. The CLI passes its SIGTERM signal here, so a write deep in a pipeline that was not handed a signal
   * can never keep the process retrying; a single attempt still goes through, so cleanup after an abort
   * (releasing a lease) still works.
   */
  readonly signal?: AbortSignal;
}

interface Slot {
  readonly version: number;
  readonly path: string;
  readonly tombstone: boolean;
}

type Current =
  | { readonly kind: "missing" }
  | { readonly kind: "foreign"; readonly path: string }
  | { readonly kind: "slot"; readonly slot: Slot; readonly older: readonly Slot[] };

function errno(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

function slotName(version: number): string {
  return `${SLOT_PREFIX}${String(version).padStart(SLOT_DIGITS, "0")}`;
}

function parseSlot(name: string): number | undefined {
  if (!name.startsWith(SLOT_PREFIX) || name.length !== SLOT_PREFIX.length + SLOT_DIGITS) return undefined;
  const version = Number(name.slice(SLOT_PREFIX.length));
  return Number.isSafeInteger(version) && version > 0 ? version : undefined;
}

function hashHex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex").slice(0, 32);
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex").slice(0, 32);
}

/**
 * What tells one slot file from another at the same path (a deleted and re-created key restarts at version 1):
 * inode, size and modification time. Not ctime: it moves when the writer unlinks its temp name.
 */
function slotIdentity(info: Stats): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}

function makeEtag(version: number, hash: string): string {
  return `${version}-${hash}`;
}

function etagVersion(etag: string): number | undefined {
  const match = /^(\d+)-[0-9a-f]+$/.exec(etag);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** fsync a file or directory; directories make a link/rename durable (POSIX fsync on the parent). */
async function fsyncPath(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, "r");
    await handle.sync();
  } catch (error) {
    // Windows cannot open directories for fsync (EISDIR/EPERM); NTFS journals metadata anyway.
    const code = errno(error);
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EACCES") throw error;
  } finally {
    await handle?.close();
  }
}

export class LocalStore implements ObjectStore {
  readonly kind = "local" as const;
  readonly root: string;
  readonly description: string;
  private readonly storeSignal: AbortSignal | undefined;
  private readonly hashes = new Map<string, { readonly identity: string; readonly hash: string }>();

  constructor(options: LocalStoreOptions) {
    if (options.root.trim() === "") throw new UsageError("invalid_lake_root", "LAKE_ROOT must not be empty");
    this.root = resolve(options.root);
    this.description = `file://${this.root}`;
    this.storeSignal = options.signal;
  }

  /** The call's signal combined with the store's: what a retry wait honours. */
  private retrySignal(signal: AbortSignal | undefined): AbortSignal | undefined {
    if (signal === undefined) return this.storeSignal;
    return this.storeSignal === undefined ? signal : AbortSignal.any([signal, this.storeSignal]);
  }

  /**
   * Before attempt `attempt` (0 = the first): stop when the call is aborted, or — from the first retry on — when
   * the store is aborted or out of attempts, then pause briefly. The first retries go at once (a lost race is
   * usually settled by then); later ones back off with full jitter so racers spread.
   */
  private async beforeRetry(attempt: number, what: string, key: string, callSignal: AbortSignal | undefined): Promise<void> {
    callSignal?.throwIfAborted();
    if (attempt === 0) return;
    this.storeSignal?.throwIfAborted();
    if (attempt >= MAX_ATTEMPTS) {
      throw new IoError("lake_retries_exhausted", `${what} lake object "${key}" under ${this.root}: it changed under us ${MAX_ATTEMPTS} times in a row; is another process rewriting it in a loop?`, {
        details: { key, attempts: MAX_ATTEMPTS },
      });
    }
    if (attempt > 2) await sleep(fullJitterDelay(attempt - 2, { baseMs: 2, capMs: 250 }), this.retrySignal(callSignal));
  }

  /** The filesystem path of the current version of `key`, for zero-copy reads (DuckDB). Undefined when missing. */
  async resolvePath(key: string): Promise<string | undefined> {
    assertValidKey(key);
    const current = await this.current(key);
    if (current.kind === "foreign") return current.path;
    if (current.kind === "missing" || current.slot.tombstone) return undefined;
    return current.slot.path;
  }

  async get(key: string, options: GetOptions = {}): Promise<StoredObject | undefined> {
    assertValidKey(key);
    const signal = options.signal;
    for (let attempt = 0; ; attempt++) {
      await this.beforeRetry(attempt, "read", key, signal);
      const current = await this.current(key);
      if (current.kind === "missing") return undefined;
      const path = current.kind === "foreign" ? current.path : current.slot.path;
      if (current.kind === "slot" && current.slot.tombstone) return undefined;
      try {
        const [body, info] = await Promise.all([readFile(path), stat(path)]);
        const version = current.kind === "slot" ? current.slot.version : 0;
        return { key, body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), etag: makeEtag(version, hashHex(body)), lastModified: info.mtime };
      } catch (error) {
        if (errno(error) === "ENOENT") continue; // pruned or deleted under us: re-resolve
        throw new IoError("lake_read_failed", `cannot read lake object "${key}" at ${path}`, { cause: error });
      }
    }
  }

  async head(key: string, options: GetOptions = {}): Promise<ObjectHead | undefined> {
    assertValidKey(key);
    const signal = options.signal;
    for (let attempt = 0; ; attempt++) {
      await this.beforeRetry(attempt, "read", key, signal);
      const current = await this.current(key);
      if (current.kind === "missing") return undefined;
      if (current.kind === "slot" && current.slot.tombstone) return undefined;
      const path = current.kind === "foreign" ? current.path : current.slot.path;
      try {
        const info = await stat(path);
        const hash = current.kind === "slot" ? await this.slotHash(path, info) : await hashFile(path);
        const version = current.kind === "slot" ? current.slot.version : 0;
        return { key, etag: makeEtag(version, hash), size: info.size, lastModified: info.mtime };
      } catch (error) {
        if (errno(error) === "ENOENT") continue;
        throw new IoError("lake_read_failed", `cannot read lake object "${key}" at ${path}`, { cause: error });
      }
    }
  }

  /**
   * The content hash of a version slot. A slot never changes once linked, so its hash is remembered by the file's
   * identity: a commit checking the parts it has just written costs a stat per part, not a second read of every
   * byte.
   */
  private async slotHash(path: string, info: Stats): Promise<string> {
    const identity = slotIdentity(info);
    const known = this.hashes.get(path);
    if (known !== undefined && known.identity === identity) return known.hash;
    const hash = await hashFile(path);
    this.rememberHash(path, identity, hash);
    return hash;
  }

  private rememberHash(path: string, identity: string, hash: string): void {
    this.hashes.delete(path);
    this.hashes.set(path, { identity, hash });
    if (this.hashes.size > MAX_REMEMBERED_HASHES) {
      const oldest = this.hashes.keys().next();
      if (oldest.done !== true) this.hashes.delete(oldest.value);
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
    assertValidKey(key);
    const signal = options.signal;
    signal?.throwIfAborted();
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    const temp = await this.writeTemp(key, bytes);
    let ok = false;
    try {
      const result = await this.install(key, temp, hashHex(bytes), options.condition, signal);
      ok = result.ok;
      return result;
    } finally {
      await unlink(temp).catch(() => undefined);
      if (!ok) await this.removeEmptyDirs(this.objectDir(key));
    }
  }

  async putFile(key: string, localPath: string, options: PutOptions = {}): Promise<PutResult> {
    assertValidKey(key);
    const signal = options.signal;
    signal?.throwIfAborted();
    const temp = await this.tempPath(key);
    try {
      // A copy, not a link: the caller may reuse or delete its file; the lake's copy must stay immutable.
      await copyFile(localPath, temp);
      await fsyncPath(temp);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      await this.removeEmptyDirs(this.objectDir(key));
      throw new IoError("lake_write_failed", `cannot stage ${localPath} for lake key "${key}"`, { cause: error });
    }
    let ok = false;
    try {
      const result = await this.install(key, temp, await hashFile(temp), options.condition, signal);
      ok = result.ok;
      return result;
    } finally {
      await unlink(temp).catch(() => undefined);
      if (!ok) await this.removeEmptyDirs(this.objectDir(key));
    }
  }

  async getToFile(key: string, localPath: string, options: GetOptions = {}): Promise<ObjectHead | undefined> {
    assertValidKey(key);
    const signal = options.signal;
    for (let attempt = 0; ; attempt++) {
      await this.beforeRetry(attempt, "copy", key, signal);
      const current = await this.current(key);
      if (current.kind === "missing" || (current.kind === "slot" && current.slot.tombstone)) return undefined;
      const path = current.kind === "foreign" ? current.path : current.slot.path;
      const temp = `${localPath}.${randomUUID()}.tmp`;
      try {
        await mkdir(dirname(localPath), { recursive: true });
        await copyFile(path, temp);
        const [hash, info] = await Promise.all([hashFile(temp), stat(temp)]);
        await rename(temp, localPath);
        const version = current.kind === "slot" ? current.slot.version : 0;
        return { key, etag: makeEtag(version, hash), size: info.size, lastModified: info.mtime };
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        if (errno(error) === "ENOENT" && !(await this.exists(path))) continue;
        throw new IoError("lake_read_failed", `cannot copy lake object "${key}" to ${localPath}`, { cause: error });
      }
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry> {
    assertValidPrefix(prefix);
    const signal = options.signal;
    const slash = prefix.lastIndexOf("/");
    const baseKey = slash < 0 ? "" : prefix.slice(0, slash);
    const found: { key: string; path: string }[] = [];
    await this.collectKeys(baseKey, prefix, found, signal);
    // S3 lists keys in UTF-8 byte order; keys are ASCII, so code-unit order is the same.
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { key, path } of found) {
      signal?.throwIfAborted();
      try {
        const info = await stat(path);
        yield { key, size: info.size, lastModified: info.mtime };
      } catch (error) {
        // Pruned by a newer write or deleted since the walk: re-resolve once.
        if (errno(error) !== "ENOENT") throw new IoError("lake_list_failed", `cannot stat lake object "${key}"`, { cause: error });
        const current = await this.current(key);
        if (current.kind !== "slot" || current.slot.tombstone) continue;
        const info = await stat(current.slot.path).catch(() => undefined);
        if (info !== undefined) yield { key, size: info.size, lastModified: info.mtime };
      }
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    assertValidKey(key);
    const dir = this.objectDir(key);
    const signal = options.signal;
    for (let attempt = 0; ; attempt++) {
      await this.beforeRetry(attempt, "delete", key, signal);
      const current = await this.current(key);
      if (current.kind === "missing") return options.ifMatch === undefined ? { ok: true } : PRECONDITION_FAILED;
      if (current.kind === "foreign") {
        if (options.ifMatch !== undefined) {
          const head = await this.head(key);
          if (head?.etag !== options.ifMatch) return PRECONDITION_FAILED;
        }
        await unlink(current.path).catch((error: unknown) => {
          if (errno(error) !== "ENOENT") throw new IoError("lake_delete_failed", `cannot delete "${key}"`, { cause: error });
        });
        return { ok: true };
      }
      if (current.slot.tombstone) return options.ifMatch === undefined ? { ok: true } : PRECONDITION_FAILED;
      if (options.ifMatch !== undefined && !(await this.slotMatches(current.slot, options.ifMatch))) return PRECONDITION_FAILED;
      const tombstone = join(dir, slotName(current.slot.version + 1));
      try {
        await mkdir(tombstone);
      } catch (error) {
        const code = errno(error);
        if (code === "EEXIST") {
          if (options.ifMatch !== undefined) return PRECONDITION_FAILED;
          continue;
        }
        if (code === "ENOENT") continue;
        throw new IoError("lake_delete_failed", `cannot delete lake object "${key}"`, { cause: error });
      }
      await fsyncPath(dir);
      await this.removeDeleted(dir);
      await this.removeEmptyDirs(dirname(dir));
      return { ok: true };
    }
  }

  async serverTime(): Promise<Date> {
    return new Date();
  }

  async close(): Promise<void> {
    // Nothing to release: every operation opens and closes its own handles.
  }

  /** Temp files older than `olderThanMs` left by killed writers (anywhere in the tree); `lake gc` removes them. */
  async staleTempFiles(olderThanMs: number, now: number = Date.now()): Promise<string[]> {
    const stale: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isFile() && TMP_NAME.test(entry.name)) {
          const info = await stat(path).catch(() => undefined);
          if (info !== undefined && now - info.mtimeMs > olderThanMs) stale.push(path);
        } else if (entry.isDirectory() && !entry.name.startsWith("@")) {
          await walk(path);
        }
      }
    };
    await walk(this.root);
    return stale;
  }

  /** Removes `dir` and its parents while they are empty, never the root. A racing writer's mkdir+retry copes. */
  private async removeEmptyDirs(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(this.root) && current.length > this.root.length) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
      current = dirname(current);
    }
  }

  // --- internals -------------------------------------------------------------------------------------

  private objectDir(key: string): string {
    return join(this.root, ...key.split("/"));
  }

  /** A fresh temp path inside the object's own folder, so that link(2) never crosses a filesystem. */
  private async tempPath(key: string): Promise<string> {
    const dir = this.objectDir(key);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      const code = errno(error);
      if (code === "ENOTDIR" || code === "EEXIST") throw new IoError("lake_foreign_object", `lake key "${key}" or a parent of it is a plain file, not written by trademl; move it away`, { cause: error });
      throw new IoError("lake_write_failed", `cannot create the folder for lake key "${key}"`, { cause: error });
    }
    return join(dir, `${TMP_PREFIX}${randomUUID()}`);
  }

  private async writeTemp(key: string, bytes: Uint8Array): Promise<string> {
    // A concurrent delete may remove the (still empty) folder between mkdir and open: retry a few times.
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.storeSignal?.throwIfAborted();
      const path = await this.tempPath(key);
      let handle;
      try {
        handle = await open(path, "wx");
        await handle.writeFile(bytes);
        await handle.sync();
        await handle.close();
        return path;
      } catch (error) {
        await handle?.close().catch(() => undefined);
        await unlink(path).catch(() => undefined);
        if (errno(error) === "ENOENT" && attempt < 5) continue;
        throw new IoError("lake_write_failed", `cannot write a temp file for lake key "${key}" under ${this.root}`, { cause: error });
      }
    }
  }

  private async exists(path: string): Promise<boolean> {
    return lstat(path).then(
      () => true,
      () => false,
    );
  }

  /** Reads the object directory once: current slot (highest), older slots, or a foreign plain file. */
  private async current(key: string): Promise<Current> {
    const dir = this.objectDir(key);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = errno(error);
      if (code === "ENOENT") return { kind: "missing" };
      if (code === "ENOTDIR") return { kind: "foreign", path: dir };
      throw new IoError("lake_read_failed", `cannot read lake object "${key}" at ${dir}`, { cause: error });
    }
    const slots: Slot[] = [];
    for (const entry of entries) {
      const version = parseSlot(entry.name);
      if (version !== undefined) slots.push({ version, path: join(dir, entry.name), tombstone: entry.isDirectory() });
    }
    if (slots.length === 0) return { kind: "missing" };
    slots.sort((a, b) => a.version - b.version);
    const slot = slots[slots.length - 1];
    if (slot === undefined) return { kind: "missing" };
    return { kind: "slot", slot, older: slots.slice(0, -1) };
  }

  private async slotMatches(slot: Slot, etag: string): Promise<boolean> {
    if (slot.tombstone || etagVersion(etag) !== slot.version) return false;
    try {
      return makeEtag(slot.version, await hashFile(slot.path)) === etag;
    } catch (error) {
      if (errno(error) === "ENOENT") return false;
      throw error;
    }
  }

  /** Links the staged temp file into the next version slot, honouring the condition. */
  private async install(key: string, temp: string, hash: string, condition: PutCondition | undefined, signal: AbortSignal | undefined): Promise<PutResult> {
    const dir = this.objectDir(key);
    for (let attempt = 0; ; attempt++) {
      await this.beforeRetry(attempt, "write", key, signal);
      const current = await this.current(key);
      if (current.kind === "foreign") {
        throw new IoError("lake_foreign_object", `lake key "${key}" is a plain file at ${current.path}, not written by trademl; move it away`);
      }
      const live = current.kind === "slot" && !current.slot.tombstone ? current.slot : undefined;
      if (condition !== undefined && "ifNoneMatch" in condition && live !== undefined) return PRECONDITION_FAILED;
      if (condition !== undefined && "ifMatch" in condition) {
        if (live === undefined || !(await this.slotMatches(live, condition.ifMatch))) return PRECONDITION_FAILED;
      }
      const version = (current.kind === "slot" ? current.slot.version : 0) + 1;
      try {
        await mkdir(dir, { recursive: true });
        await link(temp, join(dir, slotName(version)));
      } catch (error) {
        const code = errno(error);
        // EEXIST: another writer took this slot first; re-read and re-check the condition against its version.
        if (code === "EEXIST") continue;
        // ENOENT: the staging file is gone (it lives in the object's own folder, so a concurrent delete cannot
        // remove that folder while it is there). Retrying cannot bring it back: say what happened.
        if (code === "ENOENT" && !(await this.exists(temp))) {
          throw new IoError(
            "lake_staging_vanished",
            `the staging file ${temp} for lake key "${key}" vanished before it could be installed (removed by \`lake gc\` with a short grace, or by an external cleaner of .tmp-* files); nothing was written`,
            { cause: error, details: { key, temp } },
          );
        }
        if (code === "ENOENT") continue;
        if (code === "ENOTDIR") throw new IoError("lake_foreign_object", `a parent of lake key "${key}" is a plain file, not a folder`, { cause: error });
        throw new IoError("lake_write_failed", `cannot write lake object "${key}"`, { cause: error });
      }
      await fsyncPath(dir);
      const slotPath = join(dir, slotName(version));
      const info = await stat(slotPath).catch(() => undefined);
      if (info !== undefined) this.rememberHash(slotPath, slotIdentity(info), hash);
      if (current.kind === "slot") await this.prune(current.older.concat(current.slot.tombstone ? [current.slot] : []), version);
      return { ok: true, etag: makeEtag(version, hash) };
    }
  }

  /** Removes slots older than the previous version (best effort: a racing pruner may have done it). */
  private async prune(slots: readonly Slot[], newest: number): Promise<void> {
    for (const slot of slots) {
      if (slot.version >= newest - 1 && !slot.tombstone) continue;
      await (slot.tombstone ? rmdir(slot.path) : unlink(slot.path)).catch(() => undefined);
    }
  }

  /** After a tombstone: drop older slots, then the tombstone and the empty folder (ENOTEMPTY = a new write won). */
  private async removeDeleted(dir: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const slots = entries
      .map((entry) => ({ entry, version: parseSlot(entry.name) }))
      .filter((item): item is { entry: Dirent; version: number } => item.version !== undefined)
      .sort((a, b) => a.version - b.version);
    const last = slots[slots.length - 1];
    if (last === undefined || !last.entry.isDirectory()) return;
    for (const { entry } of slots.slice(0, -1)) {
      const path = join(dir, entry.name);
      await (entry.isDirectory() ? rmdir(path) : unlink(path)).catch(() => undefined);
    }
    // Only when nothing but the tombstone is left: removing it lets the folder go; a racing create either
    // linked a newer slot first (rmdir fails with ENOTEMPTY) or retries on ENOENT.
    if (entries.some((entry) => parseSlot(entry.name) === undefined)) return;
    await rmdir(join(dir, last.entry.name)).catch(() => undefined);
    await rmdir(dir).catch(() => undefined);
  }

  /** Collects object keys (with the path of their current version) under `baseKey` that start with `prefix`. */
  private async collectKeys(baseKey: string, prefix: string, out: { key: string; path: string }[], signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    const dir = baseKey === "" ? this.root : this.objectDir(baseKey);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = errno(error);
      if (code === "ENOENT" || code === "ENOTDIR") return;
      throw new IoError("lake_list_failed", `cannot list ${dir}`, { cause: error });
    }
    let newest: { version: number; name: string; tombstone: boolean } | undefined;
    for (const entry of entries) {
      const version = parseSlot(entry.name);
      if (version !== undefined && (newest === undefined || version > newest.version)) newest = { version, name: entry.name, tombstone: entry.isDirectory() };
    }
    if (baseKey !== "" && baseKey.startsWith(prefix) && newest !== undefined && !newest.tombstone) out.push({ key: baseKey, path: join(dir, newest.name) });
    for (const entry of entries) {
      if (entry.name.startsWith(".") || entry.name.startsWith("@")) continue;
      const key = baseKey === "" ? entry.name : `${baseKey}/${entry.name}`;
      // Descend only into folders that can hold keys with the prefix.
      if (!(key.startsWith(prefix) || prefix.startsWith(`${key}/`))) continue;
      if (entry.isFile()) {
        if (key.startsWith(prefix)) out.push({ key, path: join(dir, entry.name) }); // a foreign plain file: listed so readers can name it
        continue;
      }
      if (entry.isDirectory()) await this.collectKeys(key, prefix, out, signal);
    }
  }
}
