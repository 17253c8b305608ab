/**
 * `trademl doctor`: runs the lake's conformance probe (src/lake/probe.ts) against the configured store and
 * shows its verdict. A store that fails a required check is refused for multi-writer work; the detail names
 * each failed check and what it means. Clock skew and conditional DELETE are shown for information.
 */
import { stat } from "node:fs/promises";
import type { CheckResult, DoctorCheck } from "./types.ts";

export const lakeProbeCheck: DoctorCheck = {
  name: "lake-probe",
  kind: "io",
  description: "the lake store honours create-only and compare-and-swap writes (required for several writers)",
  timeoutMs: 30_000,
  async run(ctx): Promise<CheckResult> {
    const config = await ctx.config();
    if (config === undefined) return { status: "skip", detail: "configuration invalid (see the config check)" };
    const target = config.lakeTarget;
    if (target.kind === "local") {
      // Never create a lake folder just to probe it (a misspelt LAKE_ROOT should not leave a stray folder).
      const exists = await stat(target.root).then(
        (info) => info.isDirectory(),
        () => false,
      );
      if (!exists) return { status: "skip", detail: `${target.root} does not exist yet; run the probe after the first write (trademl lake probe)` };
    }
    const { openStore } = await import("../lake/open-store.ts");
    const { probeStore } = await import("../lake/probe.ts");
    const store = await openStore(target);
    try {
      const report = await probeStore(store);
      const failed = report.checks.filter((check) => check.required && check.status !== "pass");
      const info = report.checks.filter((check) => !check.required).map((check) => `${check.name}: ${check.detail}`);
      if (failed.length > 0) {
        const lines = failed.map((check) => `${check.name} FAILED: ${check.detail} — ${check.meaning}`);
        return { status: "fail", detail: `${report.store} is refused for multi-writer work.\n${[...lines, ...info].join("\n")}` };
      }
      return { status: "ok", detail: `${report.store}: all ${report.checks.filter((c) => c.required).length} required checks pass.\n${info.join("\n")}` };
    } finally {
      await store.close();
    }
  },
};
