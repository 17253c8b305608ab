// Smoke test of the Chromium test service: a local HTML page with an inline SVG chart and a PNG data URI loads in
// Debian's headless Chromium (driven by playwright-core, no browser download) with no console errors, both images
// really render (their pixels are read back), and a screenshot is kept as a CI artifact. Node only.
import { statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { artifactPath } from "../helpers/artifacts.ts";
import { openChromium, type ChromiumSession } from "../helpers/chromium.ts";
import { chromiumService, describeWithChromium } from "../helpers/services.ts";

// The PNG is made here, not copied in, so the colour the browser must show is the one we encoded.
const SWATCH = { r: 12, g: 140, b: 201 };

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A solid-colour RGB PNG (PNG spec §11: IHDR, one IDAT of filter-0 scanlines, IEND). */
function solidPng(width: number, height: number, { r, g, b }: typeof SWATCH): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, filter 0, no interlace
  const row = [0, ...Array.from({ length: width }, () => [r, g, b]).flat()];
  const raw = Buffer.from(Array.from({ length: height }, () => row).flat());
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array())]);
}

function page(imgSrc: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>trademl chromium smoke</title>
<style>body{font:14px sans-serif;margin:16px} figure{display:inline-block;margin:8px}</style></head>
<body>
<h1>trademl chromium smoke</h1>
<figure><svg id="chart" xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120">
  <rect x="0" y="0" width="240" height="120" fill="#ffffff" stroke="#333"/>
  <polyline fill="none" stroke="#d62728" stroke-width="3" points="10,100 60,70 110,80 160,30 230,20"/>
  <rect id="bar" x="20" y="40" width="30" height="60" fill="rgb(44,160,44)"/>
</svg><figcaption>inline SVG</figcaption></figure>
<figure><img id="png" width="64" height="64" alt="swatch" src="${imgSrc}"><figcaption>PNG data URI</figcaption></figure>
</body></html>`;
}

/** Reads back what the browser drew: the PNG's centre pixel (through a canvas) and the SVG bar's box. */
async function rendered(session: ChromiumSession): Promise<{ complete: boolean; naturalWidth: number; pixel: number[]; barWidth: number }> {
  return session.page.evaluate(() => {
    const img = document.getElementById("png") as HTMLImageElement;
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth || 1;
    canvas.height = img.naturalHeight || 1;
    const ctx = canvas.getContext("2d");
    let pixel: number[] = [];
    if (ctx !== null && img.naturalWidth > 0) {
      ctx.drawImage(img, 0, 0);
      pixel = Array.from(ctx.getImageData(Math.floor(canvas.width / 2), Math.floor(canvas.height / 2), 1, 1).data);
    }
    const bar = document.getElementById("bar") as unknown as SVGGraphicsElement;
    return { complete: img.complete, naturalWidth: img.naturalWidth, pixel, barWidth: bar.getBBox().width };
  });
}

describeWithChromium("Chromium test service", () => {
  let session: ChromiumSession;
  let dir = "";

  beforeAll(async () => {
    const service = chromiumService();
    if (service === undefined) throw new Error("describeWithChromium ran without Chromium");
    dir = await mkdtemp(join(tmpdir(), "trademl-chromium-smoke-"));
    session = await openChromium(service, { width: 640, height: 320 });
    expect(session.context.browser()?.version() ?? service.version).toContain(service.version.split(".")[0] ?? "?");
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("renders a local page with an inline SVG and a PNG data URI, with no console errors, and keeps a screenshot", async () => {
    const file = join(dir, "smoke.html");
    await writeFile(file, page(`data:image/png;base64,${solidPng(16, 16, SWATCH).toString("base64")}`));
    await session.page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const seen = await rendered(session);
    expect(seen.complete).toBe(true);
    expect(seen.naturalWidth).toBe(16);
    expect(seen.pixel).toEqual([SWATCH.r, SWATCH.g, SWATCH.b, 255]);
    expect(seen.barWidth).toBe(30);
    expect(session.problems).toEqual([]);

    const shot = artifactPath("chromium-smoke.png");
    await session.page.screenshot({ path: shot, fullPage: true });
    const header = (await readFile(shot)).subarray(0, 8);
    expect([...header]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(statSync(shot).size).toBeGreaterThan(2_000);
  });

  it("notices a broken image and a console error (the checks above can fail)", async () => {
    const file = join(dir, "broken.html");
    await writeFile(file, page("data:image/png;base64,AAAA").replace("</body>", "<script>console.error('boom')</script></body>"));
    session.problems.length = 0;
    await session.page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const seen = await rendered(session);
    expect(seen.naturalWidth).toBe(0);
    expect(seen.pixel).toEqual([]);
    expect(session.problems).toContain("console error: boom");
  });
});
