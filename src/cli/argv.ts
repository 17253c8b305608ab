/**
 * A pass over argv before cac sees it, for two things cac's parser (mri) gets wrong for us:
 * - a negative number after a value option is read as a cluster of short flags (`--skew -3` became the flag `-3`
 *   and `--skew` without a value). A token that looks like a negative number right after an option that takes a
 *   value is joined to it (`--skew=-3`); `-3` is never a flag of trademl.
 * - mri converts every value `Number()` accepts into a number (`0x10` became 16, `1e999` Infinity), losing what
 *   the user typed. The raw text of each value option is kept here and handed to the commands (src/cli/group.ts),
 *   whose parsers (src/cli/option-parsers.ts) accept decimal numbers only.
 * It also records every long flag given, so a command can refuse the flags that do not apply to it.
 */

/** `-3`, `-0.5`, `-.5`, `-1e-3`, `-Infinity`: text that is a value, never a flag. */
const NEGATIVE_NUMBER = /^-(\d|\.\d|Infinity$|NaN$)/;

export interface PreparedArgv {
  /** The argv to give cac. */
  readonly argv: readonly string[];
  /** The raw text of every value option, by cac's camel-cased name, in the order given. */
  readonly values: ReadonlyMap<string, readonly string[]>;
  /** Every long flag given (camel-cased, without a `no-` prefix), with the command it followed (if any). */
  readonly given: ReadonlySet<string>;
  /** Long flags given before the command word. */
  readonly beforeCommand: readonly string[];
}

/** cac's own camel-casing of option names (`log-level` → `logLevel`). */
export function camelOption(name: string): string {
  return name.replace(/([a-z])-([a-z])/g, (_, a: string, b: string) => a + b.toUpperCase());
}

/** Whether an option's cac flags text declares a value (`--spot <spot>`, `--out [file]`). */
export function takesValue(flags: string): boolean {
  return /[<[]/.test(flags);
}

/** The long names declared in a cac flags text (`-f, --file <file>` → `file`). */
export function longNames(flags: string): string[] {
  return [...flags.matchAll(/--([A-Za-z0-9][\w-]*)/g)].map((m) => m[1] ?? "").filter((name) => name !== "");
}

/**
 * @param valueOptions the long option names that take a value, for the global options (command undefined) and for
 *   a command, given the command word once it is seen.
 */
export function prepareArgv(argv: readonly string[], valueOptions: (command: string | undefined) => ReadonlySet<string>): PreparedArgv {
  const out: string[] = [];
  const values = new Map<string, string[]>();
  const given = new Set<string>();
  const beforeCommand: string[] = [];
  let command: string | undefined;
  const record = (name: string, value: string): void => {
    const key = camelOption(name);
    const list = values.get(key) ?? [];
    list.push(value);
    values.set(key, list);
  };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? "";
    if (token === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (!token.startsWith("--")) {
      out.push(token);
      if (!token.startsWith("-") && command === undefined) command = token;
      continue;
    }
    const eq = token.indexOf("=");
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const plain = name.startsWith("no-") ? name.slice(3) : name;
    given.add(camelOption(plain));
    if (command === undefined) beforeCommand.push(`--${name}`);
    const wantsValue = valueOptions(command).has(name);
    if (eq !== -1) {
      if (wantsValue) record(name, token.slice(eq + 1));
      out.push(token);
      continue;
    }
    const next = argv[i + 1];
    if (wantsValue && next !== undefined && (!next.startsWith("-") || NEGATIVE_NUMBER.test(next))) {
      record(name, next);
      out.push(`--${name}=${next}`);
      i++;
      continue;
    }
    out.push(token);
  }
  return { argv: out, values, given, beforeCommand };
}
