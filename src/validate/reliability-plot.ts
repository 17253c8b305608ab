/**
 * The reliability diagram of a calibration report: mean forecast against observed frequency per bin, the diagonal
 * of perfect calibration, and the number of forecasts per bin below, as a Vega-Lite spec rendered by src/charts.
 */
import type { ChartSpec } from "../charts/render.ts";
import type { CalibrationReport } from "./calibration.ts";

export function reliabilitySpec(report: CalibrationReport, title = "Reliability diagram"): ChartSpec {
  const bins = report.bins.map((bin) => ({
    lower: bin.lower, upper: bin.upper, count: bin.count, predicted: bin.meanPredicted, observed: bin.fractionPositive,
  }));
  const subtitle = `n = ${report.n}   Brier ${report.brier.toFixed(4)}   log-loss ${report.logLoss.toFixed(4)}   ECE ${report.ece.toFixed(4)}`;
  const unit = { type: "quantitative" as const, scale: { domain: [0, 1] } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: title, subtitle },
    vconcat: [
      {
        width: 420,
        height: 360,
        layer: [
          {
            data: { values: [{ p: 0 }, { p: 1 }] },
            mark: { type: "line", strokeDash: [5, 4], color: "#888888" },
            encoding: { x: { field: "p", ...unit, title: "mean predicted probability" }, y: { field: "p", ...unit, title: "observed frequency" } },
          },
          {
            data: { values: bins },
            mark: { type: "line", point: { filled: true, size: 60 }, color: "#1f77b4" },
            encoding: {
              x: { field: "predicted", ...unit },
              y: { field: "observed", ...unit },
              tooltip: [{ field: "lower" }, { field: "upper" }, { field: "count" }, { field: "predicted" }, { field: "observed" }],
            },
          },
        ],
      },
      {
        width: 420,
        height: 100,
        data: { values: bins },
        mark: { type: "bar", color: "#9ecae1" },
        encoding: {
          x: { field: "lower", type: "quantitative", bin: { binned: true, step: bins.length > 0 ? (bins[0]?.upper ?? 1) - (bins[0]?.lower ?? 0) : 0.1 }, scale: { domain: [0, 1] }, title: "forecast bin" },
          x2: { field: "upper" },
          y: { field: "count", type: "quantitative", title: "forecasts" },
        },
      },
    ],
  };
}
