/**
 * The curated and reference tables the equity datasets read, with the columns and types their SQL expects.
 * Table names come from their owners (curation, reference data).
 */
import { CURATE_TABLES, MINUTE_TABLES } from "../curate/curate-equities.ts";
import { REFERENCE_TABLES } from "../reference/build-reference.ts";
import type { InputTable } from "./lake-inputs.ts";

type Input = Omit<InputTable, "view">;

export const DAILY_BARS_INPUT: Input = {
  table: CURATE_TABLES.adjusted,
  columns: {
    symbol: "VARCHAR",
    date: "DATE",
    open_adj: "DOUBLE",
    close_adj: "DOUBLE",
    close: "DOUBLE",
    volume: "DOUBLE",
    volume_split: "DOUBLE",
    dividend_factor: "DOUBLE",
  },
  required: true,
  hint: "run `trademl curate`",
};

export const MINUTE_BARS_INPUT: Input = {
  table: MINUTE_TABLES.adjusted,
  columns: {
    symbol: "VARCHAR",
    date: "DATE",
    bar_time: "TIMESTAMP",
    open: "DOUBLE",
    high: "DOUBLE",
    low: "DOUBLE",
    close: "DOUBLE",
    open_adj: "DOUBLE",
    volume_split: "DOUBLE",
  },
  required: true,
  hint: "curated minute bars come from `trademl curate` after minute collection",
};

export const MEMBERSHIP_INPUT: Input = {
  table: REFERENCE_TABLES.indexMembership,
  columns: { index_name: "VARCHAR", replaces: "VARCHAR", symbol: "VARCHAR", effective_from: "DATE", effective_to: "DATE" },
  // Official lists added `replaces`; membership built before them has only proxies.
  optional: ["replaces"],
  required: true,
  hint: "run `trademl reference`",
};

export const DELISTINGS_INPUT: Input = {
  table: CURATE_TABLES.delistings,
  columns: { symbol: "VARCHAR", delist_date: "DATE" },
  required: false,
};
