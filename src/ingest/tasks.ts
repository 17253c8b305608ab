/**
 * edge.yml task names (`<vendor>_<dataset>`, the original system's vocabulary) mapped to the collector's
 * datasets. Unknown names are a configuration error that names the known ones.
 */
import { ConfigError } from "../domain/errors.ts";
import type { DatasetName, IngestVendor } from "./datasets.ts";

export const EDGE_TASKS: Readonly<Record<string, { vendor: IngestVendor; dataset: DatasetName }>> = {
  alpaca_bars: { vendor: "alpaca", dataset: "equities_bars" },
  alpaca_minute: { vendor: "alpaca", dataset: "equities_minute" },
  alpaca_corporate_actions: { vendor: "alpaca", dataset: "corporate_actions" },
  alpaca_options: { vendor: "alpaca", dataset: "options_chains" },
  polygon_bars: { vendor: "polygon", dataset: "equities_bars" },
  polygon_minute: { vendor: "polygon", dataset: "equities_minute" },
  polygon_corporate_actions: { vendor: "polygon", dataset: "corporate_actions" },
  polygon_options: { vendor: "polygon", dataset: "options_contracts" },
  polygon_tickers: { vendor: "polygon", dataset: "tickers" },
  finnhub_daily: { vendor: "finnhub", dataset: "equities_bars" },
  finnhub_options: { vendor: "finnhub", dataset: "options_chains" },
  fred_treasury: { vendor: "fred", dataset: "treasury_curve" },
};

export function datasetsForTasks(tasks: readonly string[]): { vendor: IngestVendor; dataset: DatasetName }[] {
  return tasks.map((task) => {
    const found = EDGE_TASKS[task];
    if (!found) {
      throw new ConfigError("unknown_edge_task", `edge.yml task "${task}" is not one the collector knows; known tasks: ${Object.keys(EDGE_TASKS).join(", ")}`);
    }
    return found;
  });
}
