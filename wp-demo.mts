import { runDemo } from "./src/demo/run-demo.ts";
import { summarizeRawTables } from "./src/ingest/report.ts";
import { LocalStore } from "./src/lake/local-store.ts";
import { readManifest } from "./src/lake/manifest.ts";
import { mkdtemp } from "node:fs/promises";
const lakeDir = await mkdtemp("/tmp/wp-demo-");
const a = await runDemo({ lakeDir });
const t1 = a.tables.filter((t) => /option|ticker/.test(t.table));
const b = await runDemo({ lakeDir });
const t2 = b.tables.filter((t) => /option|ticker/.test(t.table));
console.log(JSON.stringify(t1)); console.log(JSON.stringify(t2));
const store = new LocalStore({ root: lakeDir });
for (const t of ["raw/alpaca/options_chains", "raw/finnhub/options_chains", "raw/polygon/options_contracts"]) {
  const m = await readManifest(store, t);
  console.log(t, JSON.stringify(m?.files.map((f) => [f.key.split("/").slice(3).join("/"), f.rows, f.symbols, f.unit])));
}
