/**
 * Curation, step 3 of 4 — commit: every output of the pass becomes a manifest commit.
 *   - the adjusted table: the transform's parts added, the parts they replace removed, in one commit;
 *   - whole small tables (factors, actions, action quarantine, delistings): rewritten and replaced only when their
 *     content fingerprint changed, so running twice commits nothing the second time;
 *   - append-only records (quarantined bars, vendor disagreements): this pass's rows appended.
 */
import { CURATE_TABLES, ACTION_QUARANTINE_COLUMNS, FACTOR_COLUMNS } from "./curate-tables.ts";
import type { CurationPass } from "./curate-pass.ts";
import type { CurateState } from "./curate-state.ts";
import { fingerprint } from "../db/fingerprint.ts";
import { loadTable } from "./parts.ts";
import type { ActionInputs, PassPlan } from "./plan.ts";
import type { AdjustedChange } from "./transform.ts";

export async function commitAdjusted(pass: CurationPass, change: AdjustedChange): Promise<void> {
  if (change.add.length === 0 && change.remove.length === 0) return;
  await pass.commit(pass.tables.adjusted, change.remove.length === 0 ? { kind: "append", add: change.add } : { kind: "replace", add: change.add, remove: change.remove });
}

/**
 * The daily pass's whole tables, when they may have changed: with no rebuilt symbol and no new action or delisting
 * parts they cannot (an action whose ex-date arrives changes its symbol's hash and so rebuilds it). Returns the
 * tables' fingerprints for the bookmark.
 */
export async function commitWholeTables(pass: CurationPass, plan: PassPlan, actions: ActionInputs, state: CurateState): Promise<Record<string, string>> {
  const fingerprints: Record<string, string> = { ...state.fingerprints };
  if (pass.minute || !plan.wholeTablesMayChange) return fingerprints;
  pass.stage("write_tables");
  await actions.load();
  await loadTable(pass.duck, pass.lake, await pass.lake.readManifest(CURATE_TABLES.factors), "prior_factors", FACTOR_COLUMNS);
  await pass.sql("all_factors");
  await loadTable(pass.duck, pass.lake, await pass.lake.readManifest(CURATE_TABLES.actionQuarantine), "prior_action_quarantine", ACTION_QUARANTINE_COLUMNS);
  await pass.sql("all_action_quarantine");
  await pass.sql("curated_actions");
  const wholeTables = [
    { table: CURATE_TABLES.factors, relation: "all_factors", order: "symbol, ex_date" },
    { table: CURATE_TABLES.actions, relation: "curated_actions", order: "symbol, ex_date, action_type" },
    { table: CURATE_TABLES.actionQuarantine, relation: "all_action_quarantine", order: "symbol, ex_date, action_type, source" },
    { table: CURATE_TABLES.delistings, relation: "delistings", order: "symbol, delist_date" },
  ];
  for (const { table, relation, order } of wholeTables) {
    const print = await fingerprint(pass.duck, relation);
    if (state.fingerprints[table] === print) continue;
    const previous = await pass.lake.readManifest(table);
    const part = pass.wrote(table, await pass.parts.writeQuery(`SELECT * FROM ${relation} ORDER BY ${order}`, { folder: table }));
    const remove = (previous?.files ?? []).map((file) => file.key);
    await pass.commit(table, remove.length === 0 ? { kind: "append", add: [part] } : { kind: "replace", add: [part], remove });
    fingerprints[table] = print;
  }
  return fingerprints;
}

/** Appends this pass's quarantined bars and vendor disagreements; returns how many of each. */
export async function commitRecords(pass: CurationPass): Promise<{ barsQuarantined: number; disagreements: number }> {
  pass.stage("write_records");
  const barsQuarantined = await pass.count(`SELECT count(*) FROM bars_checked WHERE reasons IS NOT NULL`);
  const disagreements = await pass.count(`SELECT count(*) FROM all_disagreements`);
  const records = [
    { table: pass.tables.barQuarantine, n: barsQuarantined, sql: `SELECT * EXCLUDE (bucket) FROM bars_checked WHERE reasons IS NOT NULL` },
    { table: pass.tables.disagreements, n: disagreements, sql: `SELECT * FROM all_disagreements` },
  ];
  for (const { table, sql, n } of records) {
    if (n === 0) continue;
    const part = pass.wrote(table, await pass.parts.writeQuery(`${sql} ORDER BY symbol, bar_time`, { folder: table }));
    await pass.commit(table, { kind: "append", add: [part] });
  }
  return { barsQuarantined, disagreements };
}
