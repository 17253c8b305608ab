/**
 * The HTML pieces the daily report is made of: escaping, tables, figures and the page. The page has no script and
 * loads nothing: styles are inline, charts are inline SVG or PNG data URIs, so the file reads the same from the
 * lake, from a mail attachment or from a laptop without network.
 */

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe inside an element or a quoted attribute (vendor symbols and error messages are untrusted). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** A cell: plain text (escaped) or markup the caller built from escaped parts. */
export type Cell = string | number | { readonly html: string } | undefined | null;

function cellHtml(cell: Cell): string {
  if (cell === undefined || cell === null) return "–";
  if (typeof cell === "number") return escapeHtml(formatNumber(cell));
  if (typeof cell === "string") return escapeHtml(cell);
  return cell.html;
}

/** Whole numbers with thousands separators; fractions (dividends, ratios) with up to four decimals. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString("en-US", { maximumFractionDigits: Number.isInteger(value) ? 0 : 4 });
}

/** A table; numeric columns are right-aligned. */
export function htmlTable(header: readonly string[], rows: readonly (readonly Cell[])[], options: { readonly caption?: string } = {}): string {
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === "number" || row[column] === undefined || row[column] === null));
  const th = header.map((title, column) => `<th${numeric[column] === true ? ' class="num"' : ""}>${escapeHtml(title)}</th>`).join("");
  const body = rows
    .map((row) => `<tr>${header.map((_, column) => `<td${numeric[column] === true ? ' class="num"' : ""}>${cellHtml(row[column])}</td>`).join("")}</tr>`)
    .join("\n");
  const caption = options.caption === undefined ? "" : `<caption>${escapeHtml(options.caption)}</caption>`;
  return `<table>${caption}<thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A status word with its colour (GREEN/AMBER/RED, succeeded/failed, passed/failed …). */
export function badge(text: string, tone: "good" | "warn" | "bad" | "neutral"): { html: string } {
  return { html: `<span class="badge ${tone}">${escapeHtml(text)}</span>` };
}

export function paragraph(text: string): string {
  return `<p>${escapeHtml(text)}</p>`;
}

export interface PageSection {
  readonly id: string;
  readonly title: string;
  readonly state: "ok" | "empty" | "failed";
  readonly html: string;
}

const STYLE = `
body{font:14px/1.45 "DejaVu Sans",system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1b2b3a;color:#fff;padding:16px 24px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#c9d4de}
nav{padding:8px 24px;background:#e9edf1}
nav a{margin-right:14px;color:#1b2b3a;text-decoration:none;white-space:nowrap}
main{padding:8px 24px 32px}
section{background:#fff;border:1px solid #dde2e7;border-radius:6px;margin:16px 0;padding:8px 16px 16px}
section h2{font-size:18px;margin:8px 0}
section.empty{background:#fbfbfc;color:#5b6570}
section.failed{border-color:#d9534f}
p.empty{font-style:italic}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
caption{text-align:left;font-weight:bold;padding:4px 0}
th,td{border-bottom:1px solid #e3e7eb;padding:3px 10px;text-align:left;vertical-align:top}
th{background:#f0f3f6}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;font-weight:bold}
.badge.good{background:#d8f0dc;color:#1d6b2c}.badge.warn{background:#fcebc9;color:#8a5a00}
.badge.bad{background:#f8d3d1;color:#9b1c16}.badge.neutral{background:#e6e9ed;color:#3c4650}
figure{display:inline-block;margin:8px 16px 8px 0;vertical-align:top}
figure svg,figure img{max-width:100%;height:auto;display:block}
figcaption{font-size:12px;color:#5b6570}
footer{padding:0 24px 24px;color:#5b6570;font-size:12px}
`;

function stateBadge(state: PageSection["state"]): string {
  if (state === "ok") return "";
  return ` ${badge(state === "empty" ? "no data yet" : "failed", state === "empty" ? "neutral" : "bad").html}`;
}

/** The whole page. */
export function reportPage(args: { readonly title: string; readonly subtitle: string; readonly sections: readonly PageSection[]; readonly footer: string }): string {
  const nav = args.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}${stateBadge(s.state)}</a>`).join("");
  const body = args.sections
    .map((s) => `<section id="${escapeHtml(s.id)}" class="${s.state}"><h2>${escapeHtml(s.title)}${stateBadge(s.state)}</h2>\n${s.html}\n</section>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(args.title)}</title>
<style>${STYLE}</style></head>
<body>
<header><h1>${escapeHtml(args.title)}</h1><p>${escapeHtml(args.subtitle)}</p></header>
<nav>${nav}</nav>
<main>
${body}
</main>
<footer>${escapeHtml(args.footer)}</footer>
</body></html>
`;
}
