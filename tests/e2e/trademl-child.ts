/** Entry point for running the CLI from source as a real child process (node --import tsx, or deno run -A). */
import { runMain } from "../../src/cli/main.ts";

await runMain();
