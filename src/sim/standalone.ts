/**
 * The simulator as its own process, for benchmarks and manual exploration:
 *   npx tsx src/sim/standalone.ts '{"today":"2026-11-20","limits":{"polygon":[{"limit":5,"windowMs":60000}]}}'
 * Prints one JSON line `{"url": ...}` on stdout once listening (127.0.0.1 only); GET <url>/_sim/log returns the
 * request log. Stops on SIGTERM/SIGINT.
 */
import { startSimulator, type SimulatorOptions } from "./server.ts";

const options = JSON.parse(process.argv[2] ?? "{}") as SimulatorOptions;
const sim = await startSimulator(options);
process.stdout.write(`${JSON.stringify({ url: sim.url, today: sim.today })}\n`);
const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
