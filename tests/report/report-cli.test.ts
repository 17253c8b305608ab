/**
 * `trademl report [--date D] [--out DIR] [--open]` on the command line, and the OS opener: the report lands in the
 * lake and the local folder, `--open` hands the local file to the opener found on PATH, and a machine without an
 * opener gets a sentence saying where the file is, not a failure.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStore } from "../../src/lake/local-store.ts";
import { dailyReportKey, openInBrowser, openerCommand, readDailyReport } from "../../src/report/index.ts";
import { runTrademl } from "../helpers/cli.ts";
import { CONFIGS } from "./fixture.ts";

const isWindows = process.platform === "win32";

describe.skipIf(isWindows)("trademl report and the OS opener", () => {
  let dir = "";
  let bin = "";
  let noOpener = "";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "trademl-report-cli-"));
    bin = join(dir, "bin");
    noOpener = join(dir, "empty-bin");
    await mkdir(bin);
    await mkdir(noOpener);
    // A stand-in for xdg-open that records what it was asked to open.
    await writeFile(join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s' "$1" > "${join(dir, "opened.txt")}"\n`);
    await chmod(join(bin, "xdg-open"), 0o755);
  });

  afterAll(async () => {
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  function env(path: string): Record<string, string> {
    return { LAKE_ROOT: join(dir, "lake"), TRADEML_CONFIG_DIR: CONFIGS, PATH: path };
  }

  it("writes the report into the lake and the --out folder, then opens the local copy", async () => {
    const run = await runTrademl(["report", "--date", "2026-12-04", "--out", "out", "--open", "--log-level", "warn"], env(bin), dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const local = join(dir, "out", "daily-2026-12-04.html");
    expect(run.stdout).toContain(`lake:  ${dailyReportKey("2026-12-04")}`);
    expect(run.stdout).toContain(`local: ${local}`);
    expect(run.stdout).toContain("opened with xdg-open");
    expect(await readFile(join(dir, "opened.txt"), "utf8")).toBe(local);
    const store = new LocalStore({ root: join(dir, "lake") });
    try {
      expect(await readDailyReport(store, "2026-12-04")).toBe(await readFile(local, "utf8"));
    } finally {
      await store.close();
    }
  });

  it("without an opener, says where the file is and still succeeds", async () => {
    const run = await runTrademl(["report", "--date", "2026-12-04", "--out", "out", "--open"], env(noOpener), dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`could not open it (xdg-open is not installed); open ${join(dir, "out", "daily-2026-12-04.html")} yourself`);
  });

  it("reports an opener that fails", async () => {
    const failing = join(dir, "failing-bin");
    await mkdir(failing);
    await writeFile(join(failing, "xdg-open"), "#!/bin/sh\nexit 3\n");
    await chmod(join(failing, "xdg-open"), 0o755);
    expect(await openInBrowser(join(dir, "x.html"), { platform: "linux", env: { PATH: failing } })).toEqual({ opened: false, command: "xdg-open", reason: "xdg-open exited with code 3" });
  });

  it("refuses a bad --date and a bad --format with exit 2", async () => {
    const date = await runTrademl(["report", "--date", "12/04/2026"], env(noOpener), dir);
    expect(date.code).toBe(2);
    expect(date.stderr).toContain("--date must be a date as YYYY-MM-DD");
    const format = await runTrademl(["report", "--format", "xml"], env(noOpener), dir);
    expect(format.code).toBe(2);
  });

  it("--format json gives the keys, sections and inputs", async () => {
    const run = await runTrademl(["report", "--date", "2026-12-04", "--out", "out", "--format", "json"], env(noOpener), dir);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { key: string; sections: { id: string; state: string }[] };
    expect(parsed.key).toBe(dailyReportKey("2026-12-04"));
    expect(parsed.sections.map((s) => s.id)).toEqual(["usage", "audit", "backfill", "curation", "options", "pnl", "trainer", "dag"]);
  });
});

describe("the opener of each platform", () => {
  it("is xdg-open on Linux, open on macOS, and cmd's start with an empty window title on Windows", () => {
    expect(openerCommand("linux", "/r/daily.html")).toEqual({ command: "xdg-open", args: ["/r/daily.html"] });
    expect(openerCommand("freebsd", "/r/daily.html")).toEqual({ command: "xdg-open", args: ["/r/daily.html"] });
    expect(openerCommand("darwin", "/r/daily.html")).toEqual({ command: "open", args: ["/r/daily.html"] });
    expect(openerCommand("win32", "C:\\My Reports\\daily.html")).toEqual({ command: "cmd", args: ["/c", "start", "", "C:\\My Reports\\daily.html"] });
  });
});
