/**
 * Connectors wired to the vendor simulator: the same production connector code, pointed at the loopback
 * server with placeholder keys. Used by `trademl demo`, the e2e tests and the ingestion benchmark.
 */
import type { Logger } from "../domain/logger.ts";
import { createAlpaca } from "../vendors/alpaca.ts";
import { createFinnhub } from "../vendors/finnhub.ts";
import { createFred } from "../vendors/fred.ts";
import type { RateGovernor } from "../vendors/governor.ts";
import { createPolygon } from "../vendors/polygon.ts";
import type { Connectors } from "./fetch-unit.ts";

export interface SimEndpoint {
  readonly today: string;
  baseUrl(vendor: "alpaca" | "polygon" | "finnhub" | "fred"): string;
}

export function simConnectors(
  sim: SimEndpoint, governor: RateGovernor, options: { logger?: Logger; timeoutMs?: number; vendors?: readonly string[]; contractsPageLimit?: number } = {},
): Connectors {
  const common = { governor, ...(options.logger ? { logger: options.logger } : {}), timeoutMs: options.timeoutMs ?? 10_000 };
  const want = (v: string): boolean => options.vendors === undefined || options.vendors.includes(v);
  return {
    ...(want("alpaca") ? { alpaca: createAlpaca({ ...common, baseUrl: sim.baseUrl("alpaca"), keyId: "sim-key-id", secretKey: "sim-secret" }) } : {}),
    ...(want("polygon") ? { polygon: createPolygon({ ...common, baseUrl: sim.baseUrl("polygon"), apiKey: "sim-polygon", today: () => sim.today, ...(options.contractsPageLimit === undefined ? {} : { contractsPageLimit: options.contractsPageLimit }) }) } : {}),
    ...(want("finnhub") ? { finnhub: createFinnhub({ ...common, baseUrl: sim.baseUrl("finnhub"), apiKey: "sim-finnhub" }) } : {}),
    ...(want("fred") ? { fred: createFred({ ...common, baseUrl: sim.baseUrl("fred"), apiKey: "sim-fred" }) } : {}),
  };
}
