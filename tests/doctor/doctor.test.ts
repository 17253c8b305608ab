// `trademl doctor` on a temporary local lake: the table, the JSON report, and exit codes by failing kind.
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { judgeRuntime } from "../../src/doctor/runtime-check.ts";
import { EXPECTED_ABI_VERSION } from "../../src/kernels/load.ts";
import { runDoctor } from "../../src/doctor/run.ts";
import type { DoctorCheck } from "../../src/doctor/types.ts";
import { runTrademl } from "../helpers/cli.ts";
import { copyOfShippedConfigs, type TempDir } from "../config/fixtures.ts";

let temp: (TempDir & { configDir: string }) | undefined;
afterEach(async () => {
  await temp?.cleanup();
  temp = undefined;
});

interface JsonReport {
  exit_code: number;
  counts: Record<string, number>;
  checks: { name: string; kind: string; status: string; detail: string; duration_ms: number }[];
}

async function doctorJson(env: Record<string, string>, cwd: string): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const run = await runTrademl(["--config-dir", "configs", "doctor", "--json"], env, cwd);
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport, stderr: run.stderr };
}

const statusOf = (report: JsonReport, name: string) => report.checks.find((check) => check.name === name)?.status;

describe("trademl doctor", () => {
  it("passes on a valid setup with an existing local lake, and leaves the lake as it found it", async () => {
    temp = await copyOfShippedConfigs();
    const lake = await temp.write("lake/.keep", "");
    const { code, report } = await doctorJson({ LAKE_ROOT: "lake", FRED_API_KEY: "fredkey0123456789" }, temp.dir);
    expect(code).toBe(0);
    expect(report.exit_code).toBe(0);
    for (const name of ["runtime", "kernels", "config", "lake-local", "lake-probe"]) expect(statusOf(report, name), name).toBe("ok");
    expect(report.checks.find((c) => c.name === "lake-local")?.detail).toContain(path.dirname(lake));
    // Missing vendor keys are a warning, not a failure; FRED has its key.
    const keys = report.checks.find((check) => check.name === "vendor-keys");
    expect(keys?.status).toBe("warn");
    expect(keys?.detail).toContain("POLYGON_API_KEY");
    expect(keys?.detail).not.toContain("fred:");
    expect(await readdir(path.dirname(lake))).toEqual([".keep"]);
  });

  it("prints a readable table by default", async () => {
    temp = await copyOfShippedConfigs();
    const run = await runTrademl(["--config-dir", "configs", "doctor"], { LAKE_ROOT: "lake" }, temp.dir);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^STATUS\s+CHECK\s+DETAIL$/);
    expect(run.stdout).toMatch(new RegExp(`^ok\\s+kernels\\s+.*ABI ${EXPECTED_ABI_VERSION}`, "m"));
    expect(run.stdout).toMatch(/^WARN\s+vendor-keys\s+/m);
    expect(run.stdout).toMatch(/^6 checks: 4 ok, 1 warn, 0 fail, 1 skipped$/m);
  });

  it("accepts a lake root that does not exist yet without creating it", async () => {
    temp = await copyOfShippedConfigs();
    const { code, report } = await doctorJson({ LAKE_ROOT: "new/lake" }, temp.dir);
    expect(code).toBe(0);
    expect(report.checks.find((c) => c.name === "lake-local")?.detail).toMatch(/does not exist yet/);
    expect((await readdir(temp.dir)).sort()).toEqual(["configs"]);
  });

  it("exits 3 when the lake root is a file", async () => {
    temp = await copyOfShippedConfigs();
    await writeFile(path.join(temp.dir, "lake"), "not a folder");
    const { code, report } = await doctorJson({ LAKE_ROOT: "lake" }, temp.dir);
    expect(code).toBe(3);
    expect(statusOf(report, "lake-local")).toBe("fail");
    expect(report.checks.find((c) => c.name === "lake-local")?.detail).toContain("not a directory");
  });

  it("exits 3 when the lake root cannot be created", async () => {
    temp = await copyOfShippedConfigs();
    await writeFile(path.join(temp.dir, "blocker"), "a file where a folder should be");
    const { code, report } = await doctorJson({ LAKE_ROOT: "blocker/lake" }, temp.dir);
    expect(code).toBe(3);
    expect(statusOf(report, "lake-local")).toBe("fail");
  });

  it("exits 2 on an invalid configuration, naming the file, and skips the checks that need it", async () => {
    temp = await copyOfShippedConfigs();
    await temp.write("configs/node.yml", "duckdb:\n  memory_limt: 1GB\n");
    const { code, report } = await doctorJson({ LAKE_ROOT: "lake" }, temp.dir);
    expect(code).toBe(2);
    expect(statusOf(report, "config")).toBe("fail");
    expect(report.checks.find((c) => c.name === "config")?.detail).toContain("configs/node.yml:2:3: duckdb.memory_limt");
    expect(statusOf(report, "lake-local")).toBe("skip");
    expect(statusOf(report, "vendor-keys")).toBe("skip");
    expect(statusOf(report, "kernels")).toBe("ok");
  });

  it("skips the local lake check for an S3 lake", async () => {
    temp = await copyOfShippedConfigs();
    const { report } = await doctorJson({ S3_BUCKET: "trademl-lake", S3_ENDPOINT: "http://127.0.0.1:1" }, temp.dir);
    expect(statusOf(report, "lake-local")).toBe("skip");
  });
});

describe("runDoctor with custom checks", () => {
  const base = { cwd: process.cwd(), env: {}, configDir: "configs", envFile: false as const };
  const check = (name: string, kind: DoctorCheck["kind"], run: DoctorCheck["run"], timeoutMs?: number): DoctorCheck => ({
    name,
    kind,
    description: name,
    run,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });

  it("turns a thrown error and a hung check into failures and maps the exit code by kind", async () => {
    const report = await runDoctor({
      ...base,
      checks: [
        check("throws", "io", async () => {
          throw new Error("disk on fire");
        }),
        check("hangs", "kernel", () => new Promise(() => undefined), 50),
        check("fine", "config", async () => ({ status: "ok", detail: "fine" })),
      ],
    });
    expect(report.checks.map((c) => c.status)).toEqual(["fail", "fail", "ok"]);
    expect(report.checks[0]?.detail).toBe("disk on fire");
    expect(report.checks[1]?.detail).toMatch(/no answer within 50 ms/);
    expect(report.exitCode).toBe(3);
    expect(report.counts).toEqual({ ok: 1, warn: 0, fail: 2, skip: 0 });
  });

  it("prefers the configuration exit code, and a warning alone still exits 0", async () => {
    const fail = (kind: DoctorCheck["kind"]) => check(kind, kind, async () => ({ status: "fail", detail: "x" }));
    expect((await runDoctor({ ...base, checks: [fail("kernel"), fail("config")] })).exitCode).toBe(2);
    expect((await runDoctor({ ...base, checks: [fail("kernel")] })).exitCode).toBe(4);
    const warnOnly = await runDoctor({ ...base, checks: [check("w", "io", async () => ({ status: "warn", detail: "meh" }))] });
    expect(warnOnly.exitCode).toBe(0);
  });

  it("loads the configuration once and hands every check the same object", async () => {
    const seen: unknown[] = [];
    await runDoctor({
      ...base,
      checks: [1, 2, 3].map((n) =>
        check(`c${n}`, "config", async (ctx) => {
          seen.push(await ctx.config());
          return { status: "ok", detail: "" };
        }),
      ),
    });
    expect(seen[0]).toBeDefined();
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);
  });

  it("gives checks the configuration error when the configuration is invalid", async () => {
    const report = await runDoctor({
      ...base,
      configDir: "no-such-folder",
      checks: [check("c", "config", async (ctx) => ({ status: (await ctx.config()) === undefined ? "skip" : "ok", detail: String(await ctx.configError()) }))],
    });
    expect(report.checks[0]?.status).toBe("skip");
    expect(report.checks[0]?.detail).toContain("no-such-folder does not exist");
  });
});

describe("runtime check", () => {
  it("accepts Node 20.19+ and Deno 2+, and rejects older ones", () => {
    expect(judgeRuntime({ node: "20.19.0" }).status).toBe("ok");
    expect(judgeRuntime({ node: "22.1.0" }).status).toBe("ok");
    expect(judgeRuntime({ node: "20.18.3" }).status).toBe("fail");
    expect(judgeRuntime({ node: "18.20.4" }).detail).toMatch(/too old/);
    expect(judgeRuntime({ deno: "2.0.0" }).status).toBe("ok");
    expect(judgeRuntime({ deno: "1.46.3" }).status).toBe("fail");
  });
});
