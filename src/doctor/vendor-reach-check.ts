/**
 * `trademl doctor --online` (the Pi node's `selfcheck`): every vendor the node will call (it has keys) answers
 * over HTTPS from this machine. One unauthenticated GET of the vendor's base URL, no key sent, so it spends no
 * request budget: any HTTP status proves DNS, routing, TLS and the vendor's front door; only a network error or
 * a timeout fails. Keys themselves are checked offline by the vendor-keys check.
 */
import { hasVendorKeys } from "../config/effective.ts";
import { VENDORS, type Vendor } from "../config/schemas/common.ts";
import { ALPACA_DATA_URL, FINNHUB_URL, FRED_URL, POLYGON_URL } from "../vendors/index.ts";
import type { CheckResult, DoctorCheck } from "./types.ts";

export const VENDOR_BASE_URLS: Readonly<Record<Vendor, string>> = {
  alpaca: ALPACA_DATA_URL,
  polygon: POLYGON_URL,
  finnhub: FINNHUB_URL,
  fred: FRED_URL,
};

/** Per vendor; the check's own timeout (below) covers all of them, tried one after another. */
const REACH_TIMEOUT_MS = 10_000;

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch wraps the socket error (ENOTFOUND, ECONNREFUSED, a TLS failure) in `cause`; that is the useful part.
  const cause = (error as { cause?: unknown }).cause;
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (error.name === "TimeoutError") return `no answer within ${REACH_TIMEOUT_MS / 1000} s`;
  if (typeof code === "string") return code;
  const message = cause instanceof Error ? cause.message : error.message;
  // Deno's fetch gives no code, only the socket error's text ("... Connection refused (os error 111)"): say the
  // same thing on both runtimes.
  if (/connection refused/i.test(message)) return "ECONNREFUSED";
  return message;
}

export async function reachVendor(baseUrl: string, signal: AbortSignal): Promise<{ ok: boolean; detail: string }> {
  const started = performance.now();
  try {
    const response = await fetch(baseUrl, {
      method: "GET",
      redirect: "manual",
      signal: AbortSignal.any([signal, AbortSignal.timeout(REACH_TIMEOUT_MS)]),
    });
    await response.body?.cancel();
    return { ok: true, detail: `HTTP ${response.status} in ${Math.round(performance.now() - started)} ms` };
  } catch (error) {
    return { ok: false, detail: `unreachable (${describeFailure(error)})` };
  }
}

export const vendorReachCheck: DoctorCheck = {
  name: "vendor-reach",
  kind: "io",
  description: "each vendor with API keys answers over HTTPS (online only; no key is sent)",
  online: true,
  timeoutMs: VENDORS.length * REACH_TIMEOUT_MS + 5_000,
  async run(ctx): Promise<CheckResult> {
    const config = await ctx.config();
    if (config === undefined) return { status: "skip", detail: "configuration invalid (see the config check)" };
    const keyed = VENDORS.filter((vendor) => hasVendorKeys(config.env, vendor));
    if (keyed.length === 0) return { status: "skip", detail: "no vendor has API keys, so the node calls none" };
    const lines: string[] = [];
    let failed = 0;
    for (const vendor of keyed) {
      const url = ctx.vendorBaseUrls?.[vendor] ?? VENDOR_BASE_URLS[vendor];
      const result = await reachVendor(url, ctx.signal);
      if (!result.ok) failed += 1;
      lines.push(`${vendor} ${new URL(url).host}: ${result.detail}`);
    }
    return { status: failed === 0 ? "ok" : "fail", detail: lines.join("\n") };
  },
};
