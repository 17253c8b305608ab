// Preloaded into a benchmark's child process (`node --import ./bench/report-rss.mjs …`, see child-run.ts): at exit,
// writes the process's peak resident set (getrusage ru_maxrss, in KiB) to TRADEML_BENCH_RSS_FILE, so the parent
// gets the child's own peak, DuckDB's native memory included, however the child exits.
import { writeFileSync } from "node:fs";

const file = process.env["TRADEML_BENCH_RSS_FILE"];
if (file !== undefined && file !== "") {
  process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
}
