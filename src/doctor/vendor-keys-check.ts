/**
 * Every vendor the edge collector has tasks for has its API keys. A missing key is a warning, not a
 * failure: the node still runs, and that vendor's tasks are skipped until the key is added to .env.
 */
import { hasVendorKeys } from "../config/effective.ts";
import { VENDORS, type Vendor } from "../config/schemas/common.ts";
import type { DoctorCheck } from "./types.ts";

const KEY_NAMES: Readonly<Record<Vendor, string>> = {
  alpaca: "ALPACA_API_KEY_ID and ALPACA_API_SECRET_KEY",
  polygon: "POLYGON_API_KEY",
  finnhub: "FINNHUB_API_KEY",
  fred: "FRED_API_KEY",
};

export const vendorKeysCheck: DoctorCheck = {
  name: "vendor-keys",
  kind: "config",
  description: "each vendor with edge tasks has its API keys",
  async run(ctx) {
    const config = await ctx.config();
    if (config === undefined) return { status: "skip", detail: "configuration invalid (see the config check)" };
    const used = VENDORS.filter((vendor) => config.edge.tasks.some((task) => task.startsWith(`${vendor}_`)));
    const missing = used.filter((vendor) => !hasVendorKeys(config.env, vendor));
    if (used.length === 0) return { status: "ok", detail: "no edge tasks configured" };
    if (missing.length === 0) return { status: "ok", detail: `keys present for ${used.join(", ")}` };
    const lines = missing.map((vendor) => `${vendor}: set ${KEY_NAMES[vendor]} in .env (its edge tasks will be skipped)`);
    return { status: "warn", detail: lines.join("\n") };
  },
};
