/**
 * Option surfaces of the latest session on or before the report's day, from `curated/options_surfaces` (one row
 * per underlier, session and expiry with the raw SVI parameters a, b, rho, m, sigma and the expiry's time t):
 * a smile per underlier — implied vol against log-moneyness k = ln(K/F), from the SVI total variance
 * w(k) = a + b(rho(k − m) + sqrt((k − m)² + sigma²)), vol = sqrt(w / t) (Gatheral 2004, "A parsimonious
 * arbitrage-free implied volatility parameterization") — and the surface QC rate per underlier, from
 * `qc/options_surface_qc` when present, else from the surfaces' own `qc_status`.
 */
import { sqlString } from "../../db/session.ts";
import { DataError } from "../../domain/errors.ts";
import { VEGA_LITE_SCHEMA, chartFigure } from "../figures.ts";
import { htmlTable, paragraph } from "../html.ts";
import type { ReportContext } from "../report-context.ts";
import { noDataYet, sectionHtml, type ReportSection, type SectionBody } from "../section.ts";

export const SURFACES_TABLE = "curated/options_surfaces";
export const SURFACE_QC_TABLE = "qc/options_surface_qc";
const REQUIRED = ["underlying", "date", "expiry", "t", "a", "b", "rho", "m", "sigma"] as const;
/** Underliers drawn (alphabetically) and expiries per underlier (nearest first): a smile chart stays readable. */
const MAX_UNDERLIERS = 12;
const MAX_EXPIRIES = 6;
const SMILE_POINTS = 41;
/** Log-moneyness range drawn when a surface does not record the range of its quotes. */
const DEFAULT_K = 0.3;

export interface SmilePoint {
  readonly underlying: string;
  readonly expiry: string;
  readonly k: number;
  readonly vol: number;
}

export interface SurfaceQcRow {
  readonly underlying: string;
  readonly expiries: number;
  readonly passed: number;
  readonly rate: number;
}

export interface SurfacesOfDay {
  readonly session: string;
  readonly smiles: readonly SmilePoint[];
  readonly qc: readonly SurfaceQcRow[];
  readonly qcSource: string;
}

export async function surfacesOfDay(context: ReportContext): Promise<SurfacesOfDay | undefined> {
  if ((await context.tableView("surfaces", SURFACES_TABLE)) === undefined) return undefined;
  const columns = await context.columns("surfaces");
  const missing = REQUIRED.filter((name) => !columns.has(name));
  if (missing.length > 0) {
    throw new DataError("report_surfaces_shape", `${SURFACES_TABLE} has no column ${missing.join(", ")}: the report reads raw SVI parameters (${REQUIRED.join(", ")})`);
  }
  const [latest] = await context.duck.rows<{ session: string | null }>(
    `SELECT strftime(max(date::DATE), '%Y-%m-%d') AS session FROM surfaces WHERE date::DATE <= DATE ${sqlString(context.date)}`,
  );
  const session = latest?.session ?? null;
  if (session === null) return undefined;
  const kMin = columns.has("k_min") ? `coalesce(k_min, -${DEFAULT_K})` : `-${DEFAULT_K}`;
  const kMax = columns.has("k_max") ? `coalesce(k_max, ${DEFAULT_K})` : `${DEFAULT_K}`;
  const usable = columns.has("qc_status") ? `AND coalesce(qc_status, '') <> 'rejected'` : "";
  await context.duck.run(`
    CREATE OR REPLACE TEMP VIEW session_surfaces AS
    SELECT * FROM surfaces WHERE date::DATE = DATE ${sqlString(session)}`);
  const smiles = await context.duck.rows<SmilePoint & Record<string, string | number>>(`
    WITH chosen AS (
      SELECT underlying, expiry, t, a, b, rho, m, sigma, ${kMin} AS k_lo, ${kMax} AS k_hi,
             row_number() OVER (PARTITION BY underlying ORDER BY expiry) AS nearest,
             dense_rank() OVER (ORDER BY underlying) AS which
      FROM session_surfaces WHERE t > 0 ${usable}),
    grid AS (
      SELECT c.underlying, strftime(c.expiry::DATE, '%Y-%m-%d') AS expiry, c.k_lo + (c.k_hi - c.k_lo) * g.i / ${SMILE_POINTS - 1} AS k,
             c.t, c.a, c.b, c.rho, c.m, c.sigma
      FROM chosen c, range(${SMILE_POINTS}) AS g(i)
      WHERE c.nearest <= ${MAX_EXPIRIES} AND c.which <= ${MAX_UNDERLIERS}),
    variance AS (SELECT underlying, expiry, k, a + b * (rho * (k - m) + sqrt((k - m) * (k - m) + sigma * sigma)) AS w, t FROM grid)
    SELECT underlying, expiry, k::DOUBLE AS k, sqrt(w / t)::DOUBLE AS vol FROM variance WHERE w > 0 ORDER BY underlying, expiry, k`);
  const qcRows = await surfaceQc(context, session, columns.has("qc_status"));
  return { session, smiles, ...qcRows };
}

async function surfaceQc(context: ReportContext, session: string, hasStatus: boolean): Promise<{ qc: SurfaceQcRow[]; qcSource: string }> {
  if ((await context.tableView("surface_qc", SURFACE_QC_TABLE)) !== undefined) {
    const columns = await context.columns("surface_qc");
    if (["underlying", "date", "surface_qc_rate"].every((name) => columns.has(name))) {
      const expiries = columns.has("expiries") ? "expiries::INTEGER" : "NULL::INTEGER";
      const passed = columns.has("ok") && columns.has("repaired") ? "(ok + repaired)::INTEGER" : "NULL::INTEGER";
      const qc = await context.duck.rows<SurfaceQcRow & Record<string, string | number>>(`
        SELECT underlying, ${expiries} AS expiries, ${passed} AS passed, surface_qc_rate::DOUBLE AS rate
        FROM surface_qc WHERE date::DATE = DATE ${sqlString(session)} ORDER BY underlying`);
      if (qc.length > 0) return { qc, qcSource: SURFACE_QC_TABLE };
    }
  }
  if (!hasStatus) return { qc: [], qcSource: "" };
  const qc = await context.duck.rows<SurfaceQcRow & Record<string, string | number>>(`
    SELECT underlying, count(*)::INTEGER AS expiries, count(*) FILTER (WHERE coalesce(qc_status, '') <> 'rejected')::INTEGER AS passed,
           (count(*) FILTER (WHERE coalesce(qc_status, '') <> 'rejected') / count(*))::DOUBLE AS rate
    FROM session_surfaces GROUP BY ALL ORDER BY underlying`);
  return { qc, qcSource: `${SURFACES_TABLE} (qc_status)` };
}

export const optionSurfacesSection: ReportSection = {
  id: "options",
  title: "Option surfaces",
  async build(context): Promise<SectionBody> {
    const day = await surfacesOfDay(context);
    if (day === undefined) {
      return noDataYet(`no option surface on or before ${context.date}: the options pass writes ${SURFACES_TABLE} (SVI fits per underlier and expiry)`);
    }
    const underliers = [...new Set(day.smiles.map((point) => point.underlying))];
    const figures: string[] = [];
    for (const underlying of underliers) {
      figures.push(
        await chartFigure(
          {
            $schema: VEGA_LITE_SCHEMA,
            width: 300,
            height: 200,
            data: { values: day.smiles.filter((point) => point.underlying === underlying) },
            mark: { type: "line", strokeWidth: 1.5 },
            encoding: {
              x: { field: "k", type: "quantitative", title: "log-moneyness ln(K/F)" },
              y: { field: "vol", type: "quantitative", title: "implied vol", axis: { format: "%" }, scale: { zero: false } },
              color: { field: "expiry", type: "ordinal", title: "expiry", scale: { scheme: "viridis" } },
            },
          },
          `${underlying} smile on ${day.session}`,
        ),
      );
    }
    const qc = day.qc.length === 0
      ? paragraph("No surface QC recorded for this session.")
      : htmlTable(["underlier", "expiries", "passed (ok or repaired)", "QC rate"], day.qc.map((row) => [row.underlying, row.expiries, row.passed, `${(row.rate * 100).toFixed(1)}%`]), {
          caption: `Surface QC on ${day.session} (from ${day.qcSource})`,
        });
    const note = day.session === context.date ? "" : paragraph(`The latest surfaces are of ${day.session}.`);
    return sectionHtml(`${note}${qc}${figures.length === 0 ? paragraph("No surface passed QC, so no smile is drawn.") : figures.join("")}`);
  },
};
