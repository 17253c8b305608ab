/**
 * The equities_xs dataset: a cross-sectional daily panel over the point-in-time universe (reference
 * `index_membership`, delisted names included while they were members) with momentum, reversal, volatility,
 * liquidity, abnormal-volume, gap and dividend-yield features, and the next `horizon_days` sessions' total return,
 * rank-normalised per date, as the label. The features and labels are sql/features/equities_xs.sql.
 */
import { DuckSession, sqlString } from "../db/session.ts";
import { createSessionTable } from "../db/session-table.ts";
import { addDays } from "../domain/calendar/dates.ts";
import type { TrainingConfig } from "../config/schemas/training.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { assemblePanel } from "./assemble-panel.ts";
import type { Dataset, DatasetBuildOptions } from "./dataset.ts";
import { bindInputs } from "./lake-inputs.ts";
import { DAILY_BARS_INPUT, DELISTINGS_INPUT, MEMBERSHIP_INPUT } from "./equity-inputs.ts";

/** Sessions ahead of the lake's last bar that the session table must cover for the label windows. */
const SESSION_MARGIN_DAYS = 140;

export async function buildEquitiesXs(lake: LakeAccess, config: Pick<TrainingConfig, "dataset" | "time_decay">, options: DatasetBuildOptions = {}): Promise<Dataset> {
  const duck = await DuckSession.create({ kernels: false, memoryLimit: options.duck?.memoryLimit ?? "2GB", threads: options.duck?.threads ?? 2 });
  try {
    const snapshot = await bindInputs(
      duck,
      lake,
      [
        { ...DAILY_BARS_INPUT, view: "xs_bars" },
        { ...MEMBERSHIP_INPUT, view: "xs_members" },
        { ...DELISTINGS_INPUT, view: "xs_delistings" },
      ],
      options.seqs,
    );
    const span = await duck.rows<{ lo: string | null; hi: string | null }>("SELECT min(date)::VARCHAR AS lo, max(date)::VARCHAR AS hi FROM xs_bars");
    const lo = span[0]?.lo ?? null;
    const hi = span[0]?.hi ?? null;
    await createSessionTable(duck, "xs_sessions", lo ?? "2000-01-03", hi === null ? "2000-01-02" : addDays(hi, SESSION_MARGIN_DAYS));
    await duck.run(`SET VARIABLE horizon = ${config.dataset.horizon_days}`);
    await duck.run(`SET VARIABLE universe = [${config.dataset.universe.map(sqlString).join(", ")}]::VARCHAR[]`);
    await duck.runFile("features/equities_xs");
    return await assemblePanel(
      duck,
      {
        model: "equities_xs",
        relation: "xs_panel",
        nameColumn: "symbol",
        targetColumn: "fwd_return",
        rankLabel: true,
        minNames: config.dataset.min_names,
        features: config.dataset.features,
        halfLifeMonths: config.time_decay.half_life_months,
        snapshot,
      },
      options,
    );
  } finally {
    duck.close();
  }
}
