import { fileURLToPath } from "node:url";

/** The configuration files shipped with the package: configs/ at the package root, beside src/ and dist/. */
export function packageConfigDir(): string {
  return fileURLToPath(new URL("../../configs/", import.meta.url));
}
