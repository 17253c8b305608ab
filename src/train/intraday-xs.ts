/**
 * The intraday_xs dataset: the equities_xs idea on curated minute bars. Per session and member of the configured
 * indexes, features from the morning (the first `morning_minutes` after the open: its return, last half hour,
 * realised vol, range, volume against a day's) and from daily bars before the session (gap, previous returns, vol,
 * liquidity); the label is the return from the cutoff to the session's close, rank-normalised per date. The
 * features and labels are sql/features/intraday_xs.sql.
 */
import type { TrainingConfig } from "../config/schemas/training.ts";
import { DuckSession, sqlString } from "../db/session.ts";
import { createSessionTable } from "../db/session-table.ts";
import { addDays } from "../domain/calendar/dates.ts";
import type { LakeAccess } from "../lake/lake-access.ts";
import { assemblePanel } from "./assemble-panel.ts";
import type { Dataset, DatasetBuildOptions } from "./dataset.ts";
import { DAILY_BARS_INPUT, MEMBERSHIP_INPUT, MINUTE_BARS_INPUT } from "./equity-inputs.ts";
import { bindInputs } from "./lake-inputs.ts";

/**
 * How close to the cutoff (and to the close) a name's last bar must start for its close to stand for the price
 * there: a name with no trade in the last 5 minutes of its morning is left out that day, and one whose session
 * ends earlier than 5 minutes before the close has no label. Illiquid minutes are common in small names; a
 * stale price would make a fake morning return and a fake label.
 */
const EDGE_MINUTES = 5;

export async function buildIntradayXs(lake: LakeAccess, config: Pick<TrainingConfig, "dataset" | "time_decay">, options: DatasetBuildOptions = {}): Promise<Dataset> {
  const duck = await DuckSession.create({ kernels: false, memoryLimit: options.duck?.memoryLimit ?? "2GB", threads: options.duck?.threads ?? 2 });
  try {
    // Minute parts outside the requested rows' dates are never read (their recorded date range says so); daily
    // bars are read whole, for the windows before `from`.
    const range = { ...(options.from === undefined ? {} : { from: options.from }), ...(options.to === undefined ? {} : { to: options.to }) };
    const snapshot = await bindInputs(
      duck,
      lake,
      [
        { ...MINUTE_BARS_INPUT, view: "ix_minutes", dateRange: range },
        { ...DAILY_BARS_INPUT, view: "ix_bars" },
        { ...MEMBERSHIP_INPUT, view: "ix_members" },
      ],
      options.seqs,
    );
    const span = await duck.rows<{ lo: string | null; hi: string | null }>("SELECT min(date)::VARCHAR AS lo, max(date)::VARCHAR AS hi FROM ix_minutes");
    const lo = span[0]?.lo ?? null;
    const hi = span[0]?.hi ?? null;
    await createSessionTable(duck, "ix_sessions", lo ?? "2000-01-03", hi ?? addDays("2000-01-03", -1));
    await duck.run(`SET VARIABLE morning_minutes = ${config.dataset.morning_minutes}`);
    await duck.run(`SET VARIABLE edge_minutes = ${EDGE_MINUTES}`);
    await duck.run(`SET VARIABLE universe = [${config.dataset.universe.map(sqlString).join(", ")}]::VARCHAR[]`);
    await duck.runFile("features/intraday_xs");
    return await assemblePanel(
      duck,
      {
        model: "intraday_xs",
        relation: "ix_panel",
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
