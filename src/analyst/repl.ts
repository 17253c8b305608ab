/**
 * The `trademl sql` REPL over node:readline: statements end with ";" and may span lines; dot commands
 * (.tables, .schema [view], .format <f>, .help, .quit) act at once. Input history is kept by readline for the
 * arrow keys and appended to a history file so it survives restarts. With piped input there is no prompt,
 * so `echo "select 1;" | trademl sql` prints only results, and the first failing statement or command ends the
 * run with its error (the CLI prints it on stderr and exits non-zero): a scheduled job with a typo must fail
 * loudly. At a terminal an error is printed and the session goes on.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { UsageError } from "../domain/errors.ts";
import { formatResult, formatTable, OUTPUT_FORMATS, type OutputFormat } from "./format.ts";
import type { AnalystSession } from "./session.ts";
import { splitStatements } from "./statements.ts";

export interface ReplOptions {
  readonly input: Readable;
  /** Where readline echoes and prompts (a TTY), and where results go. */
  readonly output: Writable;
  readonly terminal: boolean;
  readonly historyFile?: string;
  readonly format?: OutputFormat;
}

const HELP = `Statements end with ";" and may span lines. Commands:
  .tables           list the lake tables (views) with their manifest seq and rows, and any unavailable table
  .schema [view]    columns and types of one view, or of all
  .format <f>       table | csv | json
  .help             this text
  .quit             leave (Ctrl-D too)
`;

async function loadHistory(file: string | undefined): Promise<string[]> {
  if (file === undefined) return [];
  try {
    return (await readFile(file, "utf8")).split("\n").filter(Boolean).reverse().slice(0, 1000);
  } catch {
    return [];
  }
}

export async function runRepl(session: AnalystSession, options: ReplOptions): Promise<void> {
  const write = (text: string): void => {
    options.output.write(text);
  };
  let format: Exclude<OutputFormat, "parquet"> = options.format === undefined || options.format === "parquet" ? "table" : options.format;
  const history = await loadHistory(options.historyFile);
  const rl = createInterface({
    input: options.input,
    output: options.output,
    terminal: options.terminal,
    history,
    historySize: 1000,
    prompt: "trademl> ",
  });
  const remember = async (entry: string): Promise<void> => {
    if (options.historyFile === undefined) return;
    await mkdir(dirname(options.historyFile), { recursive: true });
    await appendFile(options.historyFile, `${entry.replace(/\n/g, " ")}\n`);
  };
  /** At a terminal: print and go on. Piped: end the run with this error. */
  const report = (error: unknown): void => {
    if (!options.terminal) throw error;
    write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  };
  const prompt = (continuation: boolean): void => {
    if (!options.terminal) return;
    rl.setPrompt(continuation ? "    ...> " : "trademl> ");
    rl.prompt();
  };

  const dot = async (line: string): Promise<boolean> => {
    const [command, arg] = line.trim().split(/\s+/, 2);
    switch (command) {
      case ".quit":
      case ".exit":
        return false;
      case ".help":
        write(HELP);
        break;
      case ".tables":
        write(formatTable({
          columns: ["view", "table", "seq", "files", "rows", "status"],
          rows: [
            ...session.views.map((v) => [v.view, v.table, v.seq, v.files, v.rows, "ok"]),
            ...session.unavailable.map((v) => [v.view, v.table, null, null, null, `unavailable: ${v.error.message}`]),
          ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        }));
        break;
      case ".schema": {
        const names = arg === undefined ? session.views.map((v) => v.view) : [arg];
        for (const name of names) {
          write(`${name}\n`);
          const described = await session.describe(name);
          write(described.rows.map((row) => `  ${String(row[0])} ${String(row[1])}`).join("\n") + "\n");
        }
        break;
      }
      case ".format":
        if (arg === "table" || arg === "csv" || arg === "json") format = arg;
        else write(`formats: ${OUTPUT_FORMATS.filter((f) => f !== "parquet").join(", ")}\n`);
        break;
      default:
        throw new UsageError("unknown_dot_command", `unknown command ${command ?? ""}; try .help`);
    }
    return true;
  };

  let buffer = "";
  prompt(false);
  try {
    for await (const line of rl) {
      if (buffer.trim() === "" && line.trim().startsWith(".")) {
        await remember(line.trim());
        try {
          if (!(await dot(line))) break;
        } catch (error) {
          report(error);
        }
        prompt(false);
        continue;
      }
      buffer += `${line}\n`;
      const { statements, rest } = splitStatements(buffer);
      if (statements.length === 0) {
        prompt(buffer.trim() !== "");
        continue;
      }
      await remember(buffer.trim());
      buffer = rest.trim() === "" ? "" : rest;
      for (const statement of statements) {
        try {
          const result = await session.query(statement);
          if (result.columns.length > 0) write(formatResult(result, format));
        } catch (error) {
          report(error);
        }
      }
      prompt(buffer !== "");
    }
  } finally {
    rl.close();
  }
}
