import type { GroupSpec } from "../group.ts";

export const sqlCommand: GroupSpec = {
  name: "sql",
  summary: "Run DuckDB SQL over the curated lake (REPL, -c, --file)",
  options: [
    { flags: "-c, --command <sql>", description: "Run this SQL and exit" },
    { flags: "--file <path>", description: "Run the SQL in this file and exit" },
    { flags: "--format <format>", description: "table (default) | csv | json | parquet" },
    { flags: "--out <file>", description: "Output file for --format parquet" },
    { flags: "--as-of <table=seq>", description: "Pin tables to manifest seqs, e.g. equities_ohlcv_adj=12 (comma-separated)" },
  ],
  examples: [
    `trademl sql -c "select * from equities_ohlcv_adj limit 5"`,
    "trademl sql --file q.sql --format csv > out.csv",
    `trademl sql -c "select * from universe" --format parquet --out universe.parquet`,
    "trademl sql            # interactive: .tables, .schema, .quit",
  ],
  run: async (_args, options, ctx) => {
    const { UsageError } = await import("../../domain/errors.ts");
    const { OUTPUT_FORMATS } = await import("../../analyst/format.ts");
    const format = String(options["format"] ?? "table");
    if (!OUTPUT_FORMATS.includes(format as (typeof OUTPUT_FORMATS)[number])) {
      throw new UsageError("bad_format", `--format must be one of ${OUTPUT_FORMATS.join(", ")}, not "${format}"`);
    }
    const command = options["command"];
    const file = options["file"];
    if (command !== undefined && file !== undefined) throw new UsageError("bad_usage", "give either -c or --file, not both");
    let sql: string | undefined;
    if (typeof command === "string" || typeof command === "number") sql = String(command);
    else if (command !== undefined) throw new UsageError("bad_usage", "-c needs the SQL to run");
    if (file !== undefined) {
      const { readFile } = await import("node:fs/promises");
      const { resolve } = await import("node:path");
      try {
        sql = await readFile(resolve(ctx.cwd, String(file)), "utf8");
      } catch (cause) {
        throw new UsageError("sql_file_unreadable", `cannot read --file ${String(file)}`, { cause });
      }
    }
    const out = options["out"] === undefined ? undefined : (await import("node:path")).resolve(ctx.cwd, String(options["out"]));
    if (out !== undefined && format !== "parquet") throw new UsageError("bad_usage", "--out is for --format parquet; other formats print to stdout");

    const { parseAsOf } = await import("../../analyst/lake-views.ts");
    const asOf = parseAsOf(options["asOf"]);
    const { openConfiguredLake } = await import("../open-lake.ts");
    const { openAnalystSession } = await import("../../analyst/session.ts");
    const opened = await openConfiguredLake({ configDir: ctx.globals.configDir, env: ctx.env, envFile: ctx.globals.envFile, cwd: ctx.cwd });
    try {
      const session = await openAnalystSession(opened.lake, {
        asOf,
        duck: { memoryLimit: opened.config.node.duckdb.memory_limit, threads: opened.config.node.duckdb.threads },
      });
      try {
        if (sql !== undefined) {
          ctx.out(await session.render(sql, format as (typeof OUTPUT_FORMATS)[number], out));
          return 0;
        }
        // Interactive: the REPL reads the context's stdin (process.stdin from bin/trademl.js, any stream in tests).
        const input = ctx.stdin;
        if (input === undefined) throw new UsageError("no_stdin", "interactive trademl sql needs a standard input; use -c or --file");
        const { runRepl } = await import("../../analyst/repl.ts");
        const { join } = await import("node:path");
        const { Writable } = await import("node:stream");
        const home = ctx.env["HOME"] ?? ctx.env["USERPROFILE"];
        // readline's terminal mode (prompts, cursor moves, history) needs a real TTY on both ends; otherwise the
        // REPL's output is ordinary command output and goes through ctx.out like every other command's.
        const terminal = "isTTY" in input && input.isTTY === true && process.stdout.isTTY === true;
        const output = terminal
          ? process.stdout
          : new Writable({
              decodeStrings: false,
              write(chunk: unknown, _encoding, done) {
                ctx.out(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
                done();
              },
            });
        await runRepl(session, {
          input,
          output,
          terminal,
          ...(home === undefined ? {} : { historyFile: join(home, ".cache", "trademl", "sql_history") }),
          format: format as (typeof OUTPUT_FORMATS)[number],
        });
        return 0;
      } finally {
        session.close();
      }
    } finally {
      await opened.close();
    }
  },
};
