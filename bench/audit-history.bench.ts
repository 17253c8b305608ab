/**
 * Does the daily audit's cost stay flat as history grows? (issue 11: 5 vs 25 years, ratio <= 1.2.) The audit
 * ledger of one (source, table) is one part per calendar year (src/quality/audit/ledger-years.ts), so the daily
 * run re-derives and rewrites only the year of the new session, and it fingerprints only that year's raw parts
 * (the other years are told unchanged from their parts' keys and ETags); what still grows with history is the
 * manifest the audit reads (one entry per monthly raw part and per ledger year).
 *
 * Two daily tables of the same symbols, 5 and 25 years of sessions through 2024-06-28, each audited once in full
 * (not timed); then, per iteration, one new session is appended to each and each is audited incrementally. The
 * two audits alternate within an iteration so that a busy machine slows both alike; the 5-year lake is the
 * baseline and the ratio of medians is the figure.
 *
 * Run: npx tsx bench/audit-history.bench.ts
 * Sizes: TRADEML_BENCH_AUDIT_SYMBOLS (default 500), TRADEML_BENCH_AUDIT_ITERATIONS (default 15).
 */
import { performance } from "node:perf_hooks";
import { nextSession } from "../src/domain/calendar/index.ts";
import { readManifest } from "../src/lake/manifest.ts";
import { auditTarget } from "../src/quality/audit/audit.ts";
import { LEDGER_TABLE } from "../src/quality/audit/ledger.ts";
import { createAuditBenchLake } from "./audit-lake.ts";

const symbols = Number(process.env["TRADEML_BENCH_AUDIT_SYMBOLS"] ?? 500);
const iterations = Number(process.env["TRADEML_BENCH_AUDIT_ITERATIONS"] ?? 15);
const THROUGH = "2024-06-28";
const HISTORIES = [{ years: 5, from: "2019-07-01" }, { years: 25, from: "1999-07-01" }] as const;

const lake = await createAuditBenchLake();
const store = lake.store;
const lakes = [];
for (const { years, from } of HISTORIES) {
  const name = `history_${years}y`;
  const lakeTable = `raw/bench/${name}`;
  const { parts, bars, sessions } = await lake.putHistory(lakeTable, "daily", symbols, from, THROUGH);
  const target = { source: "bench", table: name, lakeTable, granularity: "daily" as const };
  const full = await auditTarget(store, target, { through: THROUGH });
  if (!full.committed) throw new Error(`the full audit of ${name} committed nothing`);
  console.log(`${name}: ${symbols} symbols x ${sessions} sessions = ${bars.toLocaleString("en-US")} bars in ${parts.length} parts`);
  lakes.push({ years, target, times: [] as number[], placed: 0 });
}

let through = THROUGH;
for (let i = 0; i < iterations; i++) {
  through = nextSession(through);
  for (const entry of lakes) {
    await lake.appendDay(entry.target.lakeTable, "daily", symbols, through);
    const start = performance.now();
    const result = await auditTarget(store, entry.target, { through });
    entry.times.push(performance.now() - start);
    if (result.sessionsReaudited !== 1 || result.partsRead !== 1 || !result.committed) {
      throw new Error(`the daily audit of ${entry.years} years re-read ${result.sessionsReaudited} sessions and ${result.partsRead} parts`);
    }
    entry.placed = Math.max(entry.placed, result.partsPlaced);
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
};
const ledger = await readManifest(store, LEDGER_TABLE);
console.log(`audit ledger: ${ledger?.files.length ?? 0} parts (one per source, table and year)`);
const baseline = median(lakes[0]?.times ?? []);
for (const { years, times, placed } of lakes) {
  const mean = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length);
  console.log(`daily audit, ${String(years).padStart(2)} years of history   median ${median(times).toFixed(0).padStart(6)} ms   mean ${mean.toFixed(0).padStart(6)} ms   ${(median(times) / baseline).toFixed(3)}x the 5-year lake (target <= 1.2)   raw parts placed per run <= ${placed}`);
}
await lake.close();
