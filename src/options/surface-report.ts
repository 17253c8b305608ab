/**
 * One underlier's SVI surface on a session, read back from the lake for `trademl options surface`: the slices of
 * `options_surfaces` with their QC, the out-of-the-money quotes they were fitted on (`options_iv`), and a smile
 * plot (fitted SVI vols against the market's mid vols per expiry) as a Vega-Lite spec for src/charts.
 */
import type { ChartSpec } from "../charts/render.ts";
import { sqlIdentifier, sqlList, sqlString, type DuckSession } from "../db/session.ts";
import { DataError } from "../domain/errors.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { rawW } from "../kernels/portable/svi/eval.ts";
import { OPTIONS_TABLES } from "./options-tables.ts";

export interface SurfaceSlice {
  readonly expiry: string;
  readonly days: number;
  readonly t: number;
  readonly forward: number | null;
  readonly params: { readonly a: number; readonly b: number; readonly rho: number; readonly m: number; readonly sigma: number } | null;
  /** The fitted ATM vol √(w(0)/t), when the slice has parameters. */
  readonly atmVol: number | null;
  readonly rmseVolPoints: number | null;
  readonly nQuotes: number;
  readonly kMin: number | null;
  readonly kMax: number | null;
  readonly butterflyFree: boolean | null;
  readonly calendarArbitrage: boolean | null;
  readonly jwRepaired: boolean;
  readonly qcStatus: string;
  readonly rejectReason: string | null;
}

export interface SurfaceQuotePoint {
  readonly expiry: string;
  readonly k: number;
  readonly ivMid: number;
}

export interface SurfaceReport {
  readonly underlying: string;
  readonly date: string;
  readonly slices: readonly SurfaceSlice[];
  readonly quotes: readonly SurfaceQuotePoint[];
  readonly qcRate: number | null;
}

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Reads the surface of `underlying` on `date` (default: its latest session in the lake). */
export async function readSurface(duck: DuckSession, lake: LakeAccess, underlying: string, date: string | undefined): Promise<SurfaceReport> {
  for (const [table, view] of [[OPTIONS_TABLES.surfaces, "surfaces"], [OPTIONS_TABLES.iv, "iv"], [OPTIONS_TABLES.surfaceQc, "surface_qc"]] as const) {
    const manifest = await lake.readManifest(table);
    if (manifest === undefined || manifest.files.length === 0) {
      throw new DataError("no_surface", `the lake has no ${table} yet: run \`trademl curate\` after option chains were collected`, { details: { table } });
    }
    const paths = await lake.localPaths(manifest.files, table);
    await duck.run(`CREATE OR REPLACE VIEW ${sqlIdentifier(view)} AS SELECT * FROM read_parquet(${sqlList(paths)}, union_by_name = true, hive_partitioning = false)`);
  }
  const u = sqlString(underlying);
  const [latest] = await duck.rowsJs(`SELECT max(date)::VARCHAR AS d FROM surfaces WHERE underlying = ${u}${date === undefined ? "" : ` AND date = DATE ${sqlString(date)}`}`);
  const session = latest?.["d"];
  if (typeof session !== "string") {
    throw new DataError("no_surface", `options_surfaces has no slice for ${underlying}${date === undefined ? "" : ` on ${date}`}`, { details: { underlying, date } });
  }
  const d = `DATE ${sqlString(session)}`;
  const slices = (await duck.rowsJs(`SELECT expiry::VARCHAR AS expiry, t, forward, a, b, rho, m, sigma, rmse_vol_points, n_quotes, k_min, k_max,
      butterfly_free, calendar_arbitrage, jw_repaired, qc_status, reject_reason FROM surfaces WHERE underlying = ${u} AND date = ${d} ORDER BY expiry`)).map((r): SurfaceSlice => {
    const t = Number(r["t"]);
    const params = r["a"] === null ? null : { a: Number(r["a"]), b: Number(r["b"]), rho: Number(r["rho"]), m: Number(r["m"]), sigma: Number(r["sigma"]) };
    const w0 = params === null ? Number.NaN : rawW(params.a, params.b, params.rho, params.m, params.sigma, 0);
    return {
      expiry: String(r["expiry"]), days: Math.round(t * 365), t, forward: numOrNull(r["forward"]), params,
      atmVol: w0 >= 0 ? Math.sqrt(w0 / t) : null, rmseVolPoints: numOrNull(r["rmse_vol_points"]), nQuotes: Number(r["n_quotes"]),
      kMin: numOrNull(r["k_min"]), kMax: numOrNull(r["k_max"]), butterflyFree: r["butterfly_free"] as boolean | null,
      calendarArbitrage: r["calendar_arbitrage"] as boolean | null, jwRepaired: r["jw_repaired"] === true, qcStatus: String(r["qc_status"]),
      rejectReason: r["reject_reason"] === null ? null : String(r["reject_reason"]),
    };
  });
  const quotes = (await duck.rowsJs(`SELECT expiry::VARCHAR AS expiry, k, iv_mid FROM iv WHERE underlying = ${u} AND date = ${d} AND otm AND status = 'ok' ORDER BY expiry, k`))
    .map((r) => ({ expiry: String(r["expiry"]), k: Number(r["k"]), ivMid: Number(r["iv_mid"]) }));
  const [qc] = await duck.rowsJs(`SELECT surface_qc_rate FROM surface_qc WHERE underlying = ${u} AND date = ${d}`);
  return { underlying, date: session, slices, quotes, qcRate: numOrNull(qc?.["surface_qc_rate"]) };
}

/** The smile plot: fitted SVI vols (lines, over each slice's quoted range) and market mid vols (points), in vol points. */
export function smileSpec(report: SurfaceReport): ChartSpec {
  const curves = report.slices.flatMap((s) => {
    const p = s.params;
    if (p === null || s.kMin === null || s.kMax === null) return [];
    const span = s.kMax - s.kMin;
    return Array.from({ length: 61 }, (_, i) => {
      const k = s.kMin === null ? 0 : s.kMin - 0.1 * span + (1.2 * span * i) / 60;
      const w = rawW(p.a, p.b, p.rho, p.m, p.sigma, k);
      return { expiry: `${s.expiry} (${s.qcStatus})`, k, vol: w >= 0 ? 100 * Math.sqrt(w / s.t) : null };
    });
  });
  const label = new Map(report.slices.map((s) => [s.expiry, `${s.expiry} (${s.qcStatus})`]));
  const points = report.quotes.filter((q) => label.has(q.expiry)).map((q) => ({ expiry: label.get(q.expiry) ?? q.expiry, k: q.k, vol: 100 * q.ivMid }));
  const color = { field: "expiry", type: "nominal" as const, title: "expiry (QC)", legend: { labelLimit: 320 } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: `${report.underlying} implied volatility smiles, ${report.date}`, subtitle: "lines: fitted SVI; points: out-of-the-money mid vols" },
    width: 560,
    height: 360,
    layer: [
      { data: { values: curves }, mark: { type: "line", strokeWidth: 2 }, encoding: { x: { field: "k", type: "quantitative", title: "log-moneyness ln(K/F)" }, y: { field: "vol", type: "quantitative", title: "implied vol (%)", scale: { zero: false } }, color } },
      { data: { values: points }, mark: { type: "point", filled: true, size: 40 }, encoding: { x: { field: "k", type: "quantitative" }, y: { field: "vol", type: "quantitative" }, color } },
    ],
  };
}
