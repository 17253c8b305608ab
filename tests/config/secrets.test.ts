// No secret value reaches a log line, an error message, the printed configuration or the doctor report.
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { redactedConfig } from "../../src/config/effective.ts";
import { loadConfig } from "../../src/config/load.ts";
import { clearSecrets } from "../../src/domain/redact.ts";
import { runTrademl } from "../helpers/cli.ts";
import { copyOfShippedConfigs, type TempDir } from "./fixtures.ts";

let temp: (TempDir & { configDir: string }) | undefined;
afterEach(async () => {
  await temp?.cleanup();
  temp = undefined;
  clearSecrets();
});

const fresh = (label: string) => `${label}${randomBytes(12).toString("hex")}`;

function secrets() {
  return {
    ALPACA_API_KEY_ID: fresh("PK"),
    ALPACA_API_SECRET_KEY: fresh("alpacasecret"),
    POLYGON_API_KEY: fresh("poly"),
    FINNHUB_API_KEY: fresh("finn"),
    FRED_API_KEY: fresh("fred"),
    AWS_ACCESS_KEY_ID: fresh("AKIA"),
    AWS_SECRET_ACCESS_KEY: fresh("awssecret"),
    MLFLOW_TRACKING_PASSWORD: fresh("mlflowpw"),
    MLFLOW_TRACKING_TOKEN: fresh("mlflowtoken"),
  };
}

function expectNoSecret(text: string, values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    expect(text.includes(value), `${name} leaked`).toBe(false);
  }
}

describe("secrets", () => {
  it("never appear in `config check` output (YAML or JSON) or its debug logs", async () => {
    temp = await copyOfShippedConfigs();
    const values = secrets();
    // Half from the process environment, half from .env: both paths must be covered.
    const entries = Object.entries(values);
    const fromFile = entries.slice(0, 4);
    await temp.write(".env", `${fromFile.map(([k, v]) => `${k}=${v}`).join("\n")}\nS3_BUCKET=trademl-lake\nS3_ENDPOINT=http://127.0.0.1:9000\n`);
    const processEnv = Object.fromEntries(entries.slice(4));
    for (const format of [[], ["--json"]]) {
      const run = await runTrademl(["--log-level", "debug", "--config-dir", "configs", "config", "check", ...format], processEnv, temp.dir);
      expect(run.code).toBe(0);
      expectNoSecret(run.stdout + run.stderr, values);
      // The keys are still shown as set, so a user can see what was picked up.
      for (const name of Object.keys(values)) expect(run.stdout).toMatch(new RegExp(`"?${name}"?: "?\\[REDACTED\\]`));
    }
  });

  it("never appear in error messages about the environment", async () => {
    temp = await copyOfShippedConfigs();
    const keyId = fresh("AKIA");
    const fred = fresh("fred");
    await temp.write(".env", `S3_BUCKET=trademl-lake\nAWS_ACCESS_KEY_ID=${keyId}\nFRED_API_KEY=${fred}\nNODE_WORKERS=zero\n`);
    const run = await runTrademl(["--log-level", "debug", "--config-dir", "configs", "config", "check"], {}, temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("NODE_WORKERS");
    expectNoSecret(run.stdout + run.stderr, { keyId, fred });
  });

  it("are not echoed when pasted into the wrong place in a YAML file", async () => {
    temp = await copyOfShippedConfigs();
    // Not in the environment, so the redactor does not know it: the message itself must not quote values.
    const pasted = fresh("sk_live_");
    await temp.write("configs/router.yml", `fallback: ${pasted}\n`);
    const error = await loadConfig({ configDir: temp.configDir, env: {}, envFile: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).not.toContain(pasted);
    expect(JSON.stringify(error)).not.toContain(pasted);
    const run = await runTrademl(["--log-level", "debug", "--config-dir", "configs", "config", "check"], {}, temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("configs/router.yml:1:11: fallback:");
    expect(run.stderr).not.toContain(pasted);
  });

  it("are replaced structurally in the printable view, even with the redactor emptied", async () => {
    temp = await copyOfShippedConfigs();
    const values = secrets();
    const config = await loadConfig({ configDir: temp.configDir, env: { ...values, S3_BUCKET: "trademl-lake" }, envFile: false });
    clearSecrets();
    expectNoSecret(JSON.stringify(redactedConfig(config)), values);
  });

  it("never appear in the doctor report", async () => {
    temp = await copyOfShippedConfigs();
    const values = secrets();
    const run = await runTrademl(["--log-level", "debug", "--config-dir", "configs", "doctor", "--json"], { ...values, LAKE_ROOT: "lake" }, temp.dir);
    expect(run.stdout).toContain('"name": "config"');
    expectNoSecret(run.stdout + run.stderr, values);
  });
});
