/**
 * The one write path into the lake: a Parquet part is written by DuckDB into a scratch file, described for the
 * manifest (rows, column bounds, symbols), uploaded create-only under a fresh uuidv7 key, and committed through
 * a manifest (src/lake/manifest.ts `commitChange`). Every pipeline writes its tables through a `PartWriter`: the
 * collector, backfill, the audit ledger, curation, reference data and compaction.
 *
 * A part that is written but never committed is an orphan: no reader sees it (readers go by manifest) and
 * `lake gc` removes it after its grace period. So a crash between upload and commit loses nothing.
 *
 * DuckDB work is serialised on the writer's session (one connection runs one statement at a time); uploads are
 * not, so a batch of parts overlaps its uploads' fsyncs and network round trips.
 */
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../domain/errors.ts";
import { newPartKey } from "../lake/keys.ts";
import { commitChange } from "../lake/manifest.ts";
import { putPart } from "../lake/part-upload.ts";
import type { CommitOptions, Manifest, ObjectStore, PartFile, PartLedger, PartUnit, StatValue, TableChange } from "../lake/types.ts";
import type { DuckSession } from "./session.ts";
import { sqlIdentifier, sqlString } from "./sql-literal.ts";

/** Column types a part written from JavaScript rows can have (DuckDB type names). */
export type ColumnType = "VARCHAR" | "DATE" | "TIMESTAMP" | "DOUBLE" | "BIGINT" | "INTEGER" | "BOOLEAN";

/** A table's columns in order: (name, DuckDB type). */
export type TableColumns = readonly (readonly [string, ColumnType])[];

/** Facts about a part that its writer already knows; given, they are recorded as they are and nothing is read back. */
export interface PartFacts {
  readonly rows: number;
  readonly min?: Readonly<Record<string, StatValue>>;
  readonly max?: Readonly<Record<string, StatValue>>;
  readonly symbols?: readonly string[];
}

export interface PartSpec {
  /** Folder of the part: its table plus any partition folders, e.g. `raw/alpaca/equities_bars/month=2024-01`. */
  readonly folder: string;
  /** Columns whose min/max are recorded in `PartFile.min`/`max` (read back from the file unless `facts` are given). */
  readonly bounds?: readonly string[];
  /** Column whose distinct values are recorded as `PartFile.symbols`. */
  readonly symbolColumn?: string;
  /** More distinct symbols than this and none are recorded (default: all of them). */
  readonly maxSymbols?: number;
  readonly facts?: PartFacts;
  readonly unit?: PartUnit;
  readonly ledger?: PartLedger;
}

export interface PartWriterOptions {
  /** The DuckDB session parts are encoded with; the caller owns it (the writer never closes it). */
  readonly session: DuckSession;
  readonly store: ObjectStore;
  /** Recorded on every commit (lease, writer name, epoch); a commit's own options are laid over them. */
  readonly commit?: CommitOptions;
  /** Where scratch files go; default a fresh folder under the OS temp folder, removed by `close`. */
  readonly scratchDir?: string;
  readonly signal?: AbortSignal;
}

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

function toStat(value: unknown, type: string | undefined): StatValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "string") {
    if (type !== undefined && INTEGER_TYPES.test(type)) {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value;
    }
    return value;
  }
  return JSON.stringify(value);
}

export class PartWriter {
  readonly store: ObjectStore;
  readonly session: DuckSession;
  private readonly commitOptions: CommitOptions;
  private readonly signal: AbortSignal | undefined;
  private readonly givenScratch: string | undefined;
  private scratch: Promise<string> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private counter = 0;

  constructor(options: PartWriterOptions) {
    this.store = options.store;
    this.session = options.session;
    this.commitOptions = options.commit ?? {};
    this.signal = options.signal;
    this.givenScratch = options.scratchDir;
  }

  /** Runs `work` on the session when no other statement of this writer is running (one connection, one statement). */
  exclusive<T>(work: (session: DuckSession) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => work(this.session));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Writes the result of `select` as one part. Nothing is committed. */
  async writeQuery(select: string, spec: PartSpec): Promise<PartFile> {
    const path = await this.scratchPath();
    try {
      const facts = await this.exclusive(async (session) => {
        await session.run(`COPY (${select}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
        return spec.facts ?? (await describeFile(session, path, spec));
      });
      return await this.upload(path, spec, facts);
    } finally {
      await rm(path, { force: true });
    }
  }

  /**
   * Writes JavaScript rows (column name → value; dates and timestamps as ISO strings) as one part with exactly
   * `columns`, so a part with no rows still carries the table's schema. Nothing is committed.
   */
  async writeRows(columns: TableColumns, rows: readonly Readonly<Record<string, unknown>>[], spec: PartSpec): Promise<PartFile> {
    const path = await this.scratchPath();
    try {
      const facts = await this.exclusive(async (session) => {
        await encodeRows(session, columns, rows, path);
        return spec.facts ?? (await describeFile(session, path, spec));
      });
      return await this.upload(path, spec, facts);
    } finally {
      await rm(path, { force: true });
    }
  }

  /** Uploads a Parquet file the caller wrote (e.g. one of a `COPY ... PARTITION_BY` output) as one part. Nothing is committed. */
  async writeFile(localPath: string, spec: PartSpec): Promise<PartFile> {
    const facts = spec.facts ?? (await this.exclusive((session) => describeFile(session, localPath, spec)));
    return this.upload(localPath, spec, facts);
  }

  /** Commits a change to `table` as its next manifest (the writer's commit options under `options`). */
  commit(table: string, change: TableChange, options: CommitOptions = {}): Promise<Manifest> {
    const signal = options.signal ?? this.commitOptions.signal ?? this.signal;
    return commitChange(this.store, table, change, { ...this.commitOptions, ...options, ...(signal === undefined ? {} : { signal }) });
  }

  /** Appends parts to `table`. */
  append(table: string, parts: readonly PartFile[], options: CommitOptions = {}): Promise<Manifest> {
    return this.commit(table, { kind: "append", add: parts }, options);
  }

  /** Replaces every current part of `table` with `parts` (a whole-table rewrite), or appends to a new table. */
  async replaceAll(table: string, parts: readonly PartFile[], previous: Manifest | undefined, options: CommitOptions = {}): Promise<Manifest> {
    const remove = (previous?.files ?? []).map((file) => file.key);
    return this.commit(table, remove.length === 0 ? { kind: "append", add: parts } : { kind: "replace", add: parts, remove }, options);
  }

  /** Removes the writer's own scratch folder (never the session, which the caller owns). */
  async close(): Promise<void> {
    await this.queue;
    const scratch = this.scratch;
    this.scratch = undefined;
    if (scratch !== undefined && this.givenScratch === undefined) await rm(await scratch, { recursive: true, force: true });
  }

  /** A fresh scratch file name (the number is taken before any await, so concurrent writes never share one). */
  private async scratchPath(): Promise<string> {
    this.scratch ??= this.givenScratch === undefined ? mkdtemp(join(tmpdir(), "trademl-parts-")) : Promise.resolve(this.givenScratch);
    const n = ++this.counter;
    return join(await this.scratch, `part-${process.pid}-${n}.parquet`);
  }

  private async upload(path: string, spec: PartSpec, facts: PartFacts): Promise<PartFile> {
    const key = newPartKey(spec.folder);
    const bytes = (await stat(path)).size;
    const etag = await putPart(this.store, key, path, this.signal === undefined ? {} : { signal: this.signal });
    return {
      key,
      rows: facts.rows,
      bytes,
      etag,
      ...(facts.min === undefined || Object.keys(facts.min).length === 0 ? {} : { min: facts.min }),
      ...(facts.max === undefined || Object.keys(facts.max).length === 0 ? {} : { max: facts.max }),
      ...(facts.symbols === undefined ? {} : { symbols: [...facts.symbols] }),
      ...(spec.unit === undefined ? {} : { unit: spec.unit }),
      ...(spec.ledger === undefined ? {} : { ledger: spec.ledger }),
    };
  }
}

/**
 * Rows go to a newline-delimited JSON file and DuckDB reads it with the explicit column types (no inference, so a
 * value of the wrong type fails the write instead of changing the schema) straight into zstd Parquet. Measured
 * against DuckDB's row appender: JSON costs the JavaScript thread less per row (the appender is one native call
 * per cell, on the thread that also paces the vendors), and DuckDB parses it on its own threads.
 */
async function encodeRows(session: DuckSession, columns: TableColumns, rows: readonly Readonly<Record<string, unknown>>[], path: string): Promise<void> {
  if (columns.length === 0) throw new UsageError("no_columns", "a part needs at least one column");
  const names = columns.map(([name]) => sqlIdentifier(name)).join(", ");
  let select: string;
  const json = `${path}.ndjson`;
  if (rows.length === 0) {
    select = `SELECT ${columns.map(([name, type]) => `NULL::${type} AS ${sqlIdentifier(name)}`).join(", ")} LIMIT 0`;
  } else {
    await writeFile(json, rows.map((row) => JSON.stringify(row)).join("\n"));
    const struct = columns.map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(", ");
    select = `SELECT ${names} FROM read_json(${sqlString(json)}, format = 'newline_delimited', columns = {${struct}})`;
  }
  try {
    // A value that does not fit its column fails here as a DataError quoting DuckDB's reason (exit 3).
    await session.run(`COPY (${select}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    await rm(json, { force: true });
  }
}

/** Reads a written file back for its manifest facts: rows, bounds of `spec.bounds`, symbols of `spec.symbolColumn`. */
async function describeFile(session: DuckSession, path: string, spec: PartSpec): Promise<PartFacts> {
  const source = `read_parquet(${sqlString(path)}, hive_partitioning = false)`;
  const bounds = spec.bounds ?? [];
  const wanted = [...bounds, ...(spec.symbolColumn === undefined ? [] : [spec.symbolColumn])];
  let types = new Map<string, string>();
  if (wanted.length > 0) {
    const described = await session.rows<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${source}`);
    types = new Map(described.map((row) => [row.column_name, row.column_type]));
    for (const column of wanted) {
      if (!types.has(column)) throw new UsageError("unknown_column", `column "${column}" is not in the part's columns (${[...types.keys()].join(", ")})`);
    }
  }
  const boundSql = bounds.flatMap((column, i) => [`min(${sqlIdentifier(column)}) AS "min_${i}"`, `max(${sqlIdentifier(column)}) AS "max_${i}"`]);
  const [row] = await session.rows(`SELECT count(*)::BIGINT AS "rows"${boundSql.length > 0 ? `, ${boundSql.join(", ")}` : ""} FROM ${source}`);
  const min: Record<string, StatValue> = {};
  const max: Record<string, StatValue> = {};
  bounds.forEach((column, i) => {
    min[column] = toStat(row?.[`min_${i}`], types.get(column));
    max[column] = toStat(row?.[`max_${i}`], types.get(column));
  });
  let symbols: string[] | undefined;
  if (spec.symbolColumn !== undefined) {
    const limit = spec.maxSymbols;
    const distinct = await session.rows<{ s: string | null }>(
      `SELECT DISTINCT ${sqlIdentifier(spec.symbolColumn)}::VARCHAR AS s FROM ${source} ORDER BY 1${limit === undefined ? "" : ` LIMIT ${limit + 1}`}`,
    );
    if (limit === undefined || distinct.length <= limit) symbols = distinct.flatMap((d) => (d.s === null ? [] : [d.s]));
  }
  return { rows: Number(row?.["rows"] ?? 0), min, max, ...(symbols === undefined ? {} : { symbols }) };
}
