/**
 * The tables the options pass writes (manifest names) and its bookmark. Each table is laid out by session,
 * `<table>/date=YYYY-MM-DD/part-*.parquet`, one part per session: re-curating a session replaces its part.
 */
export const OPTIONS_TABLES = {
  quotes: "curated/options_quotes",
  quarantine: "quarantine/options_quotes",
  iv: "curated/options_iv",
  surfaces: "curated/options_surfaces",
  surfaceQc: "qc/options_surface_qc",
  strategies: "curated/options_strategies",
  strategyPnl: "curated/options_strategy_pnl",
} as const;

/** The raw dataset the pass reads from every vendor of curator.yml `options.source_priority`. */
export const OPTION_CHAINS_DATASET = "options_chains";

export const OPTIONS_BOOKMARK_KEY = "state/bookmarks/curate/options.json";

/** The folder of a table's part for one session. */
export function sessionFolder(table: string, date: string): string {
  return `${table}/date=${date}`;
}
