/**
 * The one font every chart uses, shipped with the package (assets/fonts/DejaVuSans.ttf, from the npm package
 * dejavu-fonts-ttf 2.37.3; licence in assets/fonts/LICENSE-DejaVu.txt). Vega lays text out for this family and
 * resvg is given this file and told not to look at the system's fonts, so a chart renders the same on a Pi, a
 * Windows PC and CI, with or without fonts installed.
 */
import { fileURLToPath } from "node:url";

export const CHART_FONT_FAMILY = "DejaVu Sans";

/** The font file's path. src/charts/font.ts and dist/charts/font.js both sit two levels below the package root. */
export function chartFontFile(): string {
  return fileURLToPath(new URL("../../assets/fonts/DejaVuSans.ttf", import.meta.url));
}
