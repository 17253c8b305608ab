// src/charts: Vega-Lite → SVG → PNG on the server, with the shipped font and no system fonts.
import { describe, expect, it } from "vitest";
import { CHART_FONT_FAMILY, renderChart, svgToPng } from "../../src/charts/index.ts";
import type { ChartSpec } from "../../src/charts/index.ts";

const spec: ChartSpec = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  width: 200,
  height: 120,
  title: "Chart title",
  data: { values: [{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 2 }] },
  mark: "line",
  encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
};

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

describe("charts", () => {
  it("renders SVG text in the shipped font family", async () => {
    const svg = await renderChart(spec, "svg");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain(`font-family="${CHART_FONT_FAMILY}"`);
    expect(svg).toContain("Chart title");
  });

  it("rasterises to a PNG of the SVG's size times the scale, or a given width", async () => {
    const svg = await renderChart(spec, "svg");
    const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    const png = await svgToPng(svg, { scale: 2 });
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    expect(pngSize(png)[0]).toBe(width * 2);
    expect(pngSize(await svgToPng(svg, { width: 300 }))[0]).toBe(300);
  });

  it("draws text with the shipped font even though system fonts are off (text changes the pixels)", async () => {
    const box = (text: string) =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="5" y="25" font-family="${CHART_FONT_FAMILY}" font-size="16">${text}</text></svg>`;
    const withText = await svgToPng(box("Brier 0.21"), { scale: 1 });
    const empty = await svgToPng(box(""), { scale: 1 });
    expect(Buffer.from(withText).equals(Buffer.from(empty))).toBe(false);
  });

  it("reports an invalid spec as a data error", async () => {
    await expect(renderChart({ ...spec, mark: "no-such-mark" } as unknown as ChartSpec, "svg")).rejects.toThrow(/chart specification is invalid|no-such-mark/);
  });
});
