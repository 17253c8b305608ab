/** Server-side charts (Vega-Lite → SVG → PNG) shared by every report. */
export { CHART_FONT_FAMILY, chartFontFile } from "./font.ts";
export { renderChart, renderSvg, svgToPng, type ChartSpec, type PngOptions } from "./render.ts";
