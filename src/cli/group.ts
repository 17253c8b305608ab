/**
 * Command groups on top of cac, which matches only the first word: `trademl lake gc` is the command `lake`
 * with the action `gc`. A group lists its actions in its help and rejects an unknown action with exit 2.
 */
import type { CAC } from "cac";
import { UsageError } from "../domain/errors.ts";
import type { CliContext, CommandAction, CommandOptions, GroupAction } from "./context.ts";

export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly default?: unknown;
}

export interface GroupSpec {
  readonly name: string;
  readonly summary: string;
  readonly options?: readonly OptionSpec[];
  /** Sub-actions (`lake gc`, `calc iv`); a group without them runs `run` directly. */
  readonly actions?: Readonly<Record<string, GroupAction>>;
  readonly run?: CommandAction;
  readonly examples?: readonly string[];
}

export type Dispatch = (run: () => Promise<number | void>) => void;

function actionHelp(spec: GroupSpec): string {
  const actions = spec.actions ?? {};
  const width = Math.max(0, ...Object.keys(actions).map((name) => name.length));
  return Object.entries(actions)
    .map(([name, action]) => `  ${spec.name} ${name.padEnd(width)}  ${action.summary}`)
    .join("\n");
}

export function registerGroup(cli: CAC, spec: GroupSpec, ctx: () => CliContext, dispatch: Dispatch): void {
  const hasActions = spec.actions !== undefined && Object.keys(spec.actions).length > 0;
  const command = cli.command(hasActions ? `${spec.name} [action] [...args]` : `${spec.name} [...args]`, spec.summary);
  for (const option of spec.options ?? []) {
    command.option(option.flags, option.description, option.default === undefined ? {} : { default: option.default });
  }
  for (const example of spec.examples ?? []) command.example(example);
  if (hasActions) command.usage(`${spec.name} <action> [options]\n\nActions:\n${actionHelp(spec)}`);

  command.action((first: string | undefined, rest: unknown, maybeOptions?: unknown) => {
    const options = (hasActions ? maybeOptions : rest) as CommandOptions;
    dispatch(async () => {
      if (!hasActions) {
        const args = (first as unknown as string[] | undefined) ?? [];
        if (!spec.run) throw new UsageError("no_action", `${spec.name} has nothing to run`);
        return spec.run(args, options, ctx());
      }
      const actions = spec.actions ?? {};
      if (first === undefined) {
        throw new UsageError("missing_action", `${spec.name} needs an action:\n${actionHelp(spec)}`);
      }
      const action = actions[first];
      if (action === undefined) {
        throw new UsageError("unknown_action", `unknown action "${spec.name} ${first}"; known actions:\n${actionHelp(spec)}`);
      }
      return action.run((rest as string[] | undefined) ?? [], options, ctx());
    });
  });
}
