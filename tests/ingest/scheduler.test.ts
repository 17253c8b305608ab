// The global scheduler with synthetic jobs: per-vendor caps, workers flowing to vendors that can work, cool-downs,
// entitlement and budget stops, and leases held by another collector.
import { describe, expect, it } from "vitest";
import type { Unit } from "../../src/ingest/plan.ts";
import { runScheduler, type Activation, type TableJob, type UnitOutcome } from "../../src/ingest/scheduler.ts";

const unit = (vendor: string, i: number): Unit => ({ id: `${vendor}-${i}`, vendor, dataset: "d", table: `raw/${vendor}/d`, series: ["X"], start: "2026-11-19", end: "2026-11-19" });
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Probe {
  readonly started: { vendor: string; at: number }[];
  inflight: Record<string, number>;
  maxInflight: Record<string, number>;
}

function job(vendor: string, n: number, probe: Probe, options: { workMs?: number; outcome?: (i: number) => UnitOutcome; activation?: () => Activation } = {}): TableJob & { finished: number } {
  const state = { finished: 0 };
  return {
    vendor,
    table: `raw/${vendor}/d`,
    get finished() {
      return state.finished;
    },
    activate: async () => options.activation?.() ?? { kind: "ready", units: Array.from({ length: n }, (_, i) => unit(vendor, i)) },
    run: async (u) => {
      probe.started.push({ vendor, at: performance.now() });
      probe.inflight[vendor] = (probe.inflight[vendor] ?? 0) + 1;
      probe.maxInflight[vendor] = Math.max(probe.maxInflight[vendor] ?? 0, probe.inflight[vendor] ?? 0);
      await delay(options.workMs ?? 5);
      probe.inflight[vendor] = (probe.inflight[vendor] ?? 1) - 1;
      return options.outcome?.(Number(u.id.split("-")[1])) ?? { kind: "done" };
    },
    finish: async () => {
      state.finished++;
    },
  };
}

const newProbe = (): Probe => ({ started: [], inflight: {}, maxInflight: {} });

describe("scheduler", () => {
  it("keeps every vendor under its in-flight cap while using all workers", async () => {
    const probe = newProbe();
    const jobs = [job("alpaca", 40, probe), job("polygon", 10, probe), job("fred", 20, probe)];
    const result = await runScheduler(jobs, { workers: 4, maxInflight: { alpaca: 2, polygon: 1 }, isCoolingDown: () => false, leaseWaitMs: 0 });
    expect(result.done).toBe(70);
    expect(probe.maxInflight["alpaca"]).toBe(2);
    expect(probe.maxInflight["polygon"]).toBe(1);
    expect(probe.maxInflight["fred"]).toBeGreaterThanOrEqual(2);
    expect(jobs.every((j) => j.finished === 1)).toBe(true);
  });

  it("starts one unit per vendor first, and gives a cooling vendor's workers to the others", async () => {
    const probe = newProbe();
    const t0 = performance.now();
    const coolingUntil = t0 + 150;
    const result = await runScheduler([job("alpaca", 30, probe, { workMs: 10 }), job("polygon", 3, probe), job("fred", 3, probe)], {
      workers: 3, maxInflight: {}, isCoolingDown: (v) => v === "polygon" && performance.now() < coolingUntil, leaseWaitMs: 0,
    });
    expect(result.done).toBe(36);
    // The first starts are one per vendor that can work (polygon is cooling).
    expect(new Set(probe.started.slice(0, 2).map((s) => s.vendor))).toEqual(new Set(["alpaca", "fred"]));
    const polygonStarts = probe.started.filter((s) => s.vendor === "polygon").map((s) => s.at);
    expect(Math.min(...polygonStarts)).toBeGreaterThanOrEqual(coolingUntil - 1);
    const alpacaDuringCooldown = probe.started.filter((s) => s.vendor === "alpaca" && s.at < coolingUntil).length;
    expect(alpacaDuringCooldown).toBeGreaterThan(10);
  });

  it("holds back a vendor whose pacing turn is not due, so its worker serves another vendor", async () => {
    const probe = newProbe();
    // As the governor would: polygon's next turn is 60 ms after its last start.
    const readyIn = (v: string): number => {
      if (v !== "polygon") return 0;
      const last = probe.started.filter((s) => s.vendor === "polygon").at(-1)?.at;
      return last === undefined ? 0 : Math.max(0, last + 60 - performance.now());
    };
    const result = await runScheduler([job("polygon", 4, probe, { workMs: 1 }), job("alpaca", 200, probe, { workMs: 5 })], {
      workers: 2, maxInflight: {}, isCoolingDown: () => false, leaseWaitMs: 0, readyIn,
    });
    expect(result.done).toBe(204);
    const polygon = probe.started.filter((s) => s.vendor === "polygon").map((s) => s.at);
    for (let i = 1; i < polygon.length; i++) expect((polygon[i] ?? 0) - (polygon[i - 1] ?? 0)).toBeGreaterThanOrEqual(60 - 5);
    // Both workers served Alpaca while Polygon waited for its turn: about 2 units per 5 ms, not 1.
    const first = polygon[0] ?? 0;
    const last = polygon.at(-1) ?? 0;
    const alpacaBetween = probe.started.filter((s) => s.vendor === "alpaca" && s.at > first && s.at < last).length;
    expect(alpacaBetween).toBeGreaterThan(((last - first) / 5) * 1.2);
  });

  it("stops a job on an entitlement answer and a vendor on a spent budget, and says so", async () => {
    const probe = newProbe();
    const options = { workers: 2, maxInflight: {}, isCoolingDown: () => false, leaseWaitMs: 0 };
    const result = await runScheduler([
      job("finnhub", 10, probe, { outcome: () => ({ kind: "stop_job", reason: "not entitled: no access" }) }),
      job("polygon", 10, probe, { outcome: (i) => (i >= 2 ? { kind: "stop_vendor", reason: "polygon has used its daily budget" } : { kind: "done" }) }),
      job("fred", 5, probe),
    ], options);
    expect(result.done).toBe(5 + 2);
    expect(probe.started.filter((s) => s.vendor === "finnhub").length).toBeLessThanOrEqual(2);
    expect(probe.started.filter((s) => s.vendor === "polygon").length).toBeLessThanOrEqual(4);
    expect(result.skipped.map((s) => s.reason)).toEqual(expect.arrayContaining(["not entitled: no access", "polygon has used its daily budget"]));
  });

  it("retries a table another collector holds, then reports it", async () => {
    const probe = newProbe();
    let asks = 0;
    const held = job("alpaca", 3, probe, { activation: () => ((asks++, { kind: "held", holder: "collector-b" }) as Activation) });
    const result = await runScheduler([held, job("fred", 3, probe)], { workers: 2, maxInflight: {}, isCoolingDown: () => false, leaseWaitMs: 600 });
    expect(result.done).toBe(3);
    expect(asks).toBeGreaterThan(1);
    expect(result.skipped).toEqual([{ vendor: "alpaca", table: "raw/alpaca/d", reason: "another collector holds its lease (collector-b)" }]);
  });
});
