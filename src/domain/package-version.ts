/** trademl's version from package.json (the code version training runs and backtests record). */
import { readFileSync } from "node:fs";

export function packageVersion(): string {
  // src/domain/ and dist/domain/ are both two folders below the package root.
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  const parsed = JSON.parse(text) as { version?: unknown };
  return typeof parsed.version === "string" ? parsed.version : "0.0.0";
}
