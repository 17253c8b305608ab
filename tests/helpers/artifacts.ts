/**
 * Where tests keep files a person should look at after a run (screenshots): `$TRADEML_ARTIFACTS_DIR`, else
 * `.ci-out/artifacts/` in the repository (git-ignored), which .ci/run keeps beside its reports.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The path for an artifact named `name` (its folder is created). */
export function artifactPath(name: string): string {
  const dir = process.env["TRADEML_ARTIFACTS_DIR"] ?? join(repoRoot, ".ci-out/artifacts");
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
