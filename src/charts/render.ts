/**
 * Server-side charts: a Vega-Lite spec is compiled to Vega, rendered to SVG by Vega's headless view
 * (`renderer: "none"`, no DOM, no canvas) and rasterised to PNG by resvg. Shared by every report that draws a
 * chart (the reliability diagram, option surfaces, the daily report); vega, vega-lite and resvg load lazily, so
 * commands that draw nothing never pay for them.
 */
import { readFile } from "node:fs/promises";
import type { Config, TopLevelSpec } from "vega-lite";
import { DataError } from "../domain/errors.ts";
import { CHART_FONT_FAMILY, chartFontFile } from "./font.ts";

/** A Vega-Lite specification (https://vega.github.io/vega-lite/docs/spec.html). */
export type ChartSpec = TopLevelSpec;

export interface PngOptions {
  /** Output width in pixels (the height follows the SVG's aspect ratio); default: the SVG's own size × scale. */
  readonly width?: number;
  /** Zoom factor when no width is given (default 2, for a sharp image on high-density screens). */
  readonly scale?: number;
  /** Background colour (CSS); default white, so the PNG reads well in any viewer. */
  readonly background?: string;
}

/** The house style every chart starts from: the shipped font everywhere, white background. */
const BASE_CONFIG: Config = {
  font: CHART_FONT_FAMILY,
  background: "white",
  title: { font: CHART_FONT_FAMILY },
  axis: { labelFont: CHART_FONT_FAMILY, titleFont: CHART_FONT_FAMILY },
  legend: { labelFont: CHART_FONT_FAMILY, titleFont: CHART_FONT_FAMILY },
  header: { labelFont: CHART_FONT_FAMILY, titleFont: CHART_FONT_FAMILY },
  mark: { font: CHART_FONT_FAMILY },
};

function withBaseConfig(spec: ChartSpec): ChartSpec {
  return { ...spec, config: { ...BASE_CONFIG, ...spec.config } };
}

/** Renders a Vega-Lite spec to an SVG document. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  let compiled: ReturnType<typeof vegaLite.compile>;
  try {
    compiled = vegaLite.compile(withBaseConfig(spec));
  } catch (cause) {
    throw new DataError("chart_bad_spec", `the chart specification is invalid: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const view = new vega.View(vega.parse(compiled.spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG document to PNG bytes with the shipped font and no system fonts. */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  const fontFile = chartFontFile();
  // Read once up front so a missing font is a clear error instead of resvg silently drawing no text.
  await readFile(fontFile).catch((cause: unknown) => {
    throw new DataError("chart_font_missing", `the chart font ${fontFile} is missing from the package`, { cause });
  });
  const fitTo = options.width !== undefined
    ? { mode: "width" as const, value: options.width }
    : { mode: "zoom" as const, value: options.scale ?? 2 };
  const resvg = new Resvg(svg, {
    fitTo,
    background: options.background ?? "white",
    font: { loadSystemFonts: false, fontFiles: [fontFile], defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY },
  });
  return new Uint8Array(resvg.render().asPng());
}

/** Renders a Vega-Lite spec to SVG text or PNG bytes. */
export async function renderChart(spec: ChartSpec, format: "svg"): Promise<string>;
export async function renderChart(spec: ChartSpec, format: "png", options?: PngOptions): Promise<Uint8Array>;
export async function renderChart(spec: ChartSpec, format: "svg" | "png", options: PngOptions = {}): Promise<string | Uint8Array> {
  const svg = await renderSvg(spec);
  return format === "svg" ? svg : svgToPng(svg, options);
}
