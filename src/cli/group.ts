/**
 * Command groups on top of cac, which matches only the first word: `trademl lake gc` is the command `lake`
 * with the action `gc`. A group lists its actions in its help and rejects an unknown action with exit 2.
 */
import type { CAC } from "cac";
import { UsageError } from "../domain/errors.ts";
import { camelOption, type PreparedArgv } from "./argv.ts";
import type { CliContext, CommandAction, CommandOptions, GroupAction } from "./context.ts";
import { flagName } from "./option-parsers.ts";

export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly default?: unknown;
}

export interface GroupSpec {
  readonly name: string;
  readonly summary: string;
  readonly options?: readonly OptionSpec[];
  /** Sub-actions (`lake gc`, `calc iv`); a group without them runs `run` directly, one with them runs `run` when no action is given. */
  readonly actions?: Readonly<Record<string, GroupAction>>;
  readonly run?: CommandAction;
  readonly examples?: readonly string[];
}

export type Dispatch = (run: () => Promise<number | void>) => void;

/** Global flags every command accepts (src/cli/main.ts declares them). */
const GLOBAL_KEYS = new Set(["logLevel", "logFormat", "configDir", "envFile", "help", "version"]);

/**
 * The options as the command should see them: every value option as the text the user typed (one string, or an
 * array when repeated) instead of mri's number conversion; flags and defaults as cac parsed them.
 */
function withRawValues(options: CommandOptions, prepared: PreparedArgv): CommandOptions {
  const out: CommandOptions = { ...options };
  for (const [key, texts] of prepared.values) out[key] = texts.length === 1 ? texts[0] : [...texts];
  return out;
}

/** An action that lists its options refuses the group's others (`calc iv --vol` would be silently ignored). */
function checkActionOptions(group: string, actionName: string, action: GroupAction, prepared: PreparedArgv): void {
  if (action.options === undefined) return;
  const allowed = new Set(action.options.map(camelOption));
  const stray = [...prepared.given].find((key) => !allowed.has(key) && !GLOBAL_KEYS.has(key));
  if (stray === undefined) return;
  const list = action.options.map((name) => `--${name}`).join(", ");
  throw new UsageError("option_not_for_action", `${flagName(stray)} is not an option of ${group} ${actionName} (its options: ${list})`);
}

function actionHelp(spec: GroupSpec): string {
  const actions = spec.actions ?? {};
  const width = Math.max(0, ...Object.keys(actions).map((name) => name.length));
  return Object.entries(actions)
    .map(([name, action]) => `  ${spec.name} ${name.padEnd(width)}  ${action.summary}`)
    .join("\n");
}

export function registerGroup(
  cli: CAC, spec: GroupSpec, ctx: () => CliContext, dispatch: Dispatch, prepared: () => PreparedArgv,
): void {
  const hasActions = spec.actions !== undefined && Object.keys(spec.actions).length > 0;
  const command = cli.command(hasActions ? `${spec.name} [action] [...args]` : `${spec.name} [...args]`, spec.summary);
  for (const option of spec.options ?? []) {
    command.option(option.flags, option.description, option.default === undefined ? {} : { default: option.default });
  }
  for (const example of spec.examples ?? []) command.example(example);
  if (hasActions) command.usage(`${spec.name} <action> [options]\n\nActions:\n${actionHelp(spec)}`);

  command.action((first: string | undefined, rest: unknown, maybeOptions?: unknown) => {
    const options = withRawValues((hasActions ? maybeOptions : rest) as CommandOptions, prepared());
    dispatch(async () => {
      if (!hasActions) {
        const args = (first as unknown as string[] | undefined) ?? [];
        if (!spec.run) throw new UsageError("no_action", `${spec.name} has nothing to run`);
        return spec.run(args, options, ctx());
      }
      const actions = spec.actions ?? {};
      if (first === undefined) {
        // A group with a default (`trademl reference` builds, `trademl reference import` imports) runs it bare.
        if (spec.run) return spec.run([], options, ctx());
        throw new UsageError("missing_action", `${spec.name} needs an action:\n${actionHelp(spec)}`);
      }
      const action = actions[first];
      if (action === undefined) {
        throw new UsageError("unknown_action", `unknown action "${spec.name} ${first}"; known actions:\n${actionHelp(spec)}`);
      }
      checkActionOptions(spec.name, first, action, prepared());
      return action.run((rest as string[] | undefined) ?? [], options, ctx());
    });
  });
}
