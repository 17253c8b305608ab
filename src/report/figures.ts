/**
 * Charts of the daily report as HTML figures, rendered on the server by src/charts: inline SVG (crisp, small for
 * a few hundred marks) or a PNG data URI for dense charts (a heatmap of thousands of cells is a smaller file as
 * pixels than as one SVG element per cell). Either way the page fetches nothing.
 */
import { Buffer } from "node:buffer";
import { renderSvg, svgToPng, type ChartSpec } from "../charts/render.ts";
import { escapeHtml } from "./html.ts";

let figureCount = 0;

/**
 * Several Vega SVGs on one page may use the same element ids (clip paths, gradients): each figure's ids get a
 * prefix of their own so `url(#…)` references stay inside their figure.
 */
function scopeIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}${id}"`);
}

export interface FigureOptions {
  /** Rasterise to PNG (dense charts). Default: inline SVG. */
  readonly png?: boolean;
}

/** `<figure>` with the chart and its caption. */
export async function chartFigure(spec: ChartSpec, caption: string, options: FigureOptions = {}): Promise<string> {
  const svg = await renderSvg(spec);
  figureCount += 1;
  const label = escapeHtml(caption);
  if (options.png === true) {
    const png = await svgToPng(svg, { scale: 1.5 });
    const width = /<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg)?.[1];
    const size = width === undefined ? "" : ` width="${Math.round(Number(width))}"`;
    return `<figure><img${size} alt="${label}" src="data:image/png;base64,${Buffer.from(png).toString("base64")}"><figcaption>${label}</figcaption></figure>`;
  }
  const scoped = scopeIds(svg, `f${figureCount}-`).replace("<svg ", `<svg role="img" aria-label="${label}" `);
  return `<figure>${scoped}<figcaption>${label}</figcaption></figure>`;
}

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** The report's status colours, shared by every chart that shows GREEN/AMBER/RED or step states. */
export const STATUS_COLOURS = {
  domain: ["GREEN", "AMBER", "RED"],
  range: ["#4caf50", "#f0ad4e", "#d9534f"],
} as const;
