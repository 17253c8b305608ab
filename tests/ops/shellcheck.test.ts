// The shell scripts pass shellcheck (Debian's package, installed by scripts/test-services.sh): the Pi node's
// installer at every severity, as it runs as root on someone's Pi; the test and CI scripts at warning and above.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithShellcheck, shellcheckService } from "../helpers/services.ts";
import { runScript } from "./run-script.ts";

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const strict = ["scripts/pi-node.sh", "tests/arm64/pi-node-arm64.sh"];
const lenient = ["scripts/test-services.sh", "scripts/test-arm64.sh", ".ci/run"];

describeWithShellcheck("shellcheck", () => {
  let shellcheck = "";
  const scratch = mkdtempSync(join(tmpdir(), "trademl-shellcheck-"));

  beforeAll(() => {
    const found = shellcheckService();
    if (found === undefined) throw new Error("describeWithShellcheck ran without shellcheck");
    shellcheck = found.executablePath;
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("finds nothing in the Pi node scripts, at any severity", async () => {
    const run = await runScript(shellcheck, ["--shell=bash", ...strict], {}, repoRoot);
    expect(run.stdout + run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("finds no warning or error in the test and CI scripts", async () => {
    const run = await runScript(shellcheck, ["--shell=bash", "--severity=warning", ...lenient], {}, repoRoot);
    expect(run.stdout + run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("does flag a script with an unquoted path in rm -rf (the checks above can fail)", async () => {
    const bad = join(scratch, "bad.sh");
    writeFileSync(bad, '#!/usr/bin/env bash\ntarget=$1\nrm -rf $target/*\n');
    const run = await runScript(shellcheck, [bad]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/SC2086|SC2115/);
  });
});
