// The node's nightly trigger over Thanksgiving week 2026 with an injected clock: Wednesday a regular session,
// Thursday a holiday, Friday an early close (13:00 New York), then a weekend, then Monday. The DAG must start
// 30 minutes after each close, never on the holiday or the weekend, and collection passes must go on around it.
import { describe, expect, it } from "vitest";
import { dueNightly, nextNightly, nightlyRunId } from "../../src/dag/nightly-schedule.ts";
import { runNodeLoop } from "../../src/dag/node-loop.ts";

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

describe("the nightly schedule", () => {
  it("is due 30 minutes after each close, early closes included, and not on holidays or weekends", () => {
    // 2026-11-25 is EST: the 16:00 close is 21:00 UTC; Friday's 13:00 early close is 18:00 UTC.
    expect(nextNightly(at("2026-11-25T15:00:00Z"), 30)).toEqual({ session: "2026-11-25", atMs: at("2026-11-25T21:30:00Z") });
    expect(nextNightly(at("2026-11-25T21:30:00Z"), 30)).toEqual({ session: "2026-11-27", atMs: at("2026-11-27T18:30:00Z") });
    expect(nextNightly(at("2026-11-27T18:30:00Z"), 30)).toEqual({ session: "2026-11-30", atMs: at("2026-11-30T21:30:00Z") });
    expect(dueNightly(at("2026-11-25T21:29:59Z"), 30).session).toBe("2026-11-24");
    expect(dueNightly(at("2026-11-26T12:00:00Z"), 30).session).toBe("2026-11-25");
    expect(dueNightly(at("2026-11-29T23:00:00Z"), 30).session).toBe("2026-11-27");
    // After midnight UTC but before midnight in New York, the session is still that New York date's.
    expect(dueNightly(at("2026-12-01T03:00:00Z"), 30).session).toBe("2026-11-30");
    expect(nightlyRunId("2026-11-27")).toBe("nightly-2026-11-27");
  });

  it("the node loop runs each night's DAG once, at its time, with collection passes every hour around it", async () => {
    let clock = at("2026-11-25T12:00:00Z");
    const end = at("2026-12-01T06:00:00Z");
    const controller = new AbortController();
    const nightly: string[] = [];
    const passes: number[] = [];
    const ended = new Set(["nightly-2026-11-24"]);
    await runNodeLoop({
      intervalMs: 60 * 60_000,
      nightly: { afterCloseMinutes: 30 },
      now: () => clock,
      sleep: (ms) => {
        clock += ms;
        if (clock >= end) controller.abort();
        return Promise.resolve();
      },
      signal: controller.signal,
      collectPass: () => {
        passes.push(clock);
        return Promise.resolve(true);
      },
      nightlyEnded: (runId) => Promise.resolve(ended.has(runId)),
      runNightly: (session, runId) => {
        nightly.push(`${session} at ${iso(clock)}`);
        clock += 20 * 60_000; // the DAG takes 20 minutes
        ended.add(runId);
        return Promise.resolve();
      },
    });
    expect(nightly).toEqual(["2026-11-25 at 2026-11-25T21:30:00.000Z", "2026-11-27 at 2026-11-27T18:30:00.000Z", "2026-11-30 at 2026-11-30T21:30:00.000Z"]);
    // Passes never stop for longer than the interval plus the DAG's 20 minutes.
    const gaps = passes.slice(1).map((t, i) => t - (passes[i] ?? t));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(80 * 60_000);
    expect(passes.length).toBeGreaterThan(5 * 24 - 2);
  });

  it("a node started after a missed night runs that night's DAG first, and resumes an unfinished one", async () => {
    let clock = at("2026-11-28T10:00:00Z"); // Saturday: Friday's run was missed
    const controller = new AbortController();
    const nightly: string[] = [];
    await runNodeLoop({
      intervalMs: 60 * 60_000, nightly: { afterCloseMinutes: 30 }, now: () => clock,
      sleep: (ms) => {
        clock += ms;
        controller.abort();
        return Promise.resolve();
      },
      signal: controller.signal,
      collectPass: () => Promise.resolve(true),
      nightlyEnded: () => Promise.resolve(false),
      runNightly: (session) => {
        nightly.push(session);
        return Promise.resolve();
      },
    });
    expect(nightly).toEqual(["2026-11-27"]);
  });
});
