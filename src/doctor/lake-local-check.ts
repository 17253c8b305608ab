/**
 * A local lake root is usable: it is a directory (or can be created), a file can be created there with
 * create-only semantics (`open(..., "wx")`, which the lake's manifest commits rely on — DESIGN, "The lake
 * protocol"), read back and removed, and the disk has room. S3 lakes are probed by the lake's own check.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, open, readFile, rm, stat, statfs } from "node:fs/promises";
import path from "node:path";
import type { CheckResult, DoctorCheck } from "./types.ts";

/** Below this much free space the collector would soon stop writing; worth a warning on a Pi's SD card. */
export const LOW_DISK_BYTES = 1024 ** 3;

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : "error";
}

async function nearestExisting(dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    try {
      await stat(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const stats = await statfs(dir);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return undefined;
  }
}

/** Create-only write, a second create-only write that must fail, read-back, removal. */
async function probeWrite(root: string): Promise<string | undefined> {
  const probe = path.join(root, `.trademl-doctor-${randomUUID()}.tmp`);
  const payload = `trademl doctor ${new Date().toISOString()}\n`;
  try {
    const handle = await open(probe, "wx");
    try {
      await handle.writeFile(payload, "utf8");
    } finally {
      await handle.close();
    }
    try {
      const again = await open(probe, "wx");
      await again.close();
      return `a second create-only write to ${probe} succeeded; this file system does not honour O_EXCL`;
    } catch (error) {
      if (codeOf(error) !== "EEXIST") return `unexpected ${codeOf(error)} on the second create-only write`;
    }
    if ((await readFile(probe, "utf8")) !== payload) return `read back different bytes from ${probe}`;
    return undefined;
  } catch (error) {
    return `cannot write in ${root} (${codeOf(error)})`;
  } finally {
    await rm(probe, { force: true });
  }
}

export async function checkLocalLake(root: string): Promise<CheckResult> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(root)).isDirectory();
  } catch (error) {
    if (codeOf(error) !== "ENOENT") return { status: "fail", detail: `cannot stat ${root} (${codeOf(error)})` };
    // Prove the root could be created without creating it (a misspelt LAKE_ROOT should not leave a
    // stray folder): make and remove a scratch directory in the nearest folder that exists. access(W_OK)
    // is not enough — it says yes to root even on read-only mounts such as /proc.
    const parent = await nearestExisting(root);
    try {
      await rm(await mkdtemp(path.join(parent, ".trademl-doctor-")), { recursive: true, force: true });
    } catch (error) {
      return { status: "fail", detail: `${root} does not exist and cannot be created in ${parent} (${codeOf(error)})` };
    }
    return { status: "ok", detail: `${root} does not exist yet; ${parent} is writable, so it will be created on first write` };
  }
  if (!isDirectory) return { status: "fail", detail: `${root} exists but is not a directory` };
  const problem = await probeWrite(root);
  if (problem !== undefined) return { status: "fail", detail: problem };
  const free = await freeBytes(root);
  const space = free === undefined ? "free space unknown" : `${gib(free)} free`;
  if (free !== undefined && free < LOW_DISK_BYTES) {
    return { status: "warn", detail: `${root} is writable but only ${gib(free)} is free` };
  }
  return { status: "ok", detail: `${root} is writable (create-only writes honoured), ${space}` };
}

export const lakeLocalCheck: DoctorCheck = {
  name: "lake-local",
  kind: "io",
  description: "the local lake root exists (or can be created) and accepts create-only writes",
  async run(ctx) {
    const config = await ctx.config();
    if (config === undefined) return { status: "skip", detail: "configuration invalid (see the config check)" };
    const target = config.lakeTarget;
    if (target.kind !== "local") {
      return { status: "skip", detail: `the lake is S3 (bucket ${target.bucket}); the lake probe checks it` };
    }
    return checkLocalLake(target.root);
  },
};
