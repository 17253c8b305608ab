// The daily report in a real headless Chromium (Debian's browser driven by playwright-core, no download): the
// page of a demo lake with every section filled loads with no console error, page error or failed request, every
// image (the PNG heatmap) decodes with a size, every inline SVG chart lays out with a size, and a full-page
// screenshot is kept as a CI artifact (.ci-out/artifacts/daily-report.png). The empty-lake page loads cleanly too.
// Node only (*.node.test.ts).
import { statSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LocalStore } from "../../src/lake/local-store.ts";
import { buildDailyReport, type DailyReport } from "../../src/report/index.ts";
import { artifactPath } from "../helpers/artifacts.ts";
import { openChromium, type ChromiumSession } from "../helpers/chromium.ts";
import { chromiumService, describeWithChromium } from "../helpers/services.ts";
import { reportLake, type ReportLake } from "./fixture.ts";

interface Rendered {
  readonly images: { readonly alt: string; readonly complete: boolean; readonly naturalWidth: number; readonly naturalHeight: number }[];
  readonly charts: { readonly label: string; readonly width: number; readonly height: number; readonly marks: number }[];
  readonly sections: string[];
}

async function rendered(session: ChromiumSession): Promise<Rendered> {
  return session.page.evaluate(() => ({
    images: Array.from(document.images, (img) => ({ alt: img.alt, complete: img.complete, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight })),
    charts: Array.from(document.querySelectorAll("figure > svg"), (svg) => {
      const box = svg.getBoundingClientRect();
      return { label: svg.getAttribute("aria-label") ?? "", width: box.width, height: box.height, marks: svg.querySelectorAll("path, rect, line").length };
    }),
    sections: Array.from(document.querySelectorAll("section"), (section) => `${section.id}:${section.className}`),
  }));
}

describeWithChromium("daily report in Chromium", () => {
  let session: ChromiumSession;
  let lake: ReportLake;
  let report: DailyReport;

  beforeAll(async () => {
    const service = chromiumService();
    if (service === undefined) throw new Error("describeWithChromium ran without Chromium");
    lake = await reportLake();
    report = await buildDailyReport({ store: lake.store, date: lake.date, config: lake.config, outDir: join(lake.dir, "out") });
    session = await openChromium(service, { width: 1200, height: 900 });
  }, 300_000);

  afterAll(async () => {
    await session?.close();
    await lake?.close();
  });

  it("loads with no console error, every image and chart renders, and a screenshot is kept", async () => {
    await session.page.goto(pathToFileURL(report.localPath ?? "").href, { waitUntil: "load" });
    const seen = await rendered(session);
    expect(seen.sections).toEqual(["usage:ok", "audit:ok", "backfill:ok", "curation:ok", "options:ok", "pnl:ok", "trainer:empty", "dag:ok"]);
    expect(seen.images.length).toBeGreaterThanOrEqual(1);
    for (const image of seen.images) {
      expect(image, image.alt).toMatchObject({ complete: true });
      expect(image.naturalWidth, image.alt).toBeGreaterThan(100);
      expect(image.naturalHeight, image.alt).toBeGreaterThan(50);
    }
    // usage, curation quarantine, two smiles, PnL, DAG timeline.
    expect(seen.charts.length).toBeGreaterThanOrEqual(6);
    for (const chart of seen.charts) {
      expect(chart.width, chart.label).toBeGreaterThan(100);
      expect(chart.height, chart.label).toBeGreaterThan(50);
      expect(chart.marks, chart.label).toBeGreaterThan(3);
    }
    expect(session.problems).toEqual([]);

    const shot = artifactPath("daily-report.png");
    await session.page.screenshot({ path: shot, fullPage: true });
    expect([...(await readFile(shot)).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  });

  it("an empty lake's report loads cleanly too, every section saying there is no data yet", async () => {
    const dir = await mkdtemp(join(tmpdir(), "trademl-report-empty-browser-"));
    const store = new LocalStore({ root: join(dir, "lake") });
    try {
      const empty = await buildDailyReport({ store, date: "2026-12-04", outDir: join(dir, "out") });
      session.problems.length = 0;
      await session.page.goto(pathToFileURL(empty.localPath ?? "").href, { waitUntil: "load" });
      const seen = await rendered(session);
      expect(seen.sections.every((s) => s.endsWith(":empty"))).toBe(true);
      expect(await session.page.locator("p.empty").count()).toBe(8);
      expect(session.problems).toEqual([]);
      await session.page.screenshot({ path: artifactPath("daily-report-empty.png"), fullPage: true });
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
