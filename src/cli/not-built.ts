import { NotImplementedError } from "../domain/errors.ts";
import type { CommandAction } from "./context.ts";

/** An action for a command that is planned but not built: it says so and exits non-zero, never pretends. */
export function notBuilt(feature: string, issue: string): CommandAction {
  return async () => {
    throw new NotImplementedError(feature, issue);
  };
}
