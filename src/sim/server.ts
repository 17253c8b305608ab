/**
 * The vendor simulator: one loopback HTTP server that speaks Alpaca, Polygon, Finnhub and FRED under
 * `/alpaca`, `/polygon`, `/finnhub` and `/fred`, over the seeded synthetic market. It enforces per-vendor
 * sliding-window rate limits (answering 429 with Retry-After and X-RateLimit-* headers, as the vendors do),
 * misbehaves on request (FaultPlan), and logs every request with a monotonic timestamp so tests can measure
 * the rate a client actually achieved. It binds 127.0.0.1 only.
 *
 * A loaded machine stalls the simulator's own event loop, and requests that arrived during a stall are handled
 * together when it ends: their handling times bunch up although the client spaced them. A heartbeat bounds each
 * request's arrival from below (`earliestMs`), and the limiter counts a request against an earlier one only when
 * both certainly fall in one window — the simulator never blames a client for its own stalls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { IoError, UsageError } from "../domain/errors.ts";
import { sleep } from "../domain/sleep.ts";
import { addDays, todayUtc } from "../domain/calendar/dates.ts";
import { alpacaError, alpacaRoute } from "./alpaca-routes.ts";
import { finnhubError, finnhubRoute } from "./finnhub-routes.ts";
import { fredError, fredRoute } from "./fred-routes.ts";
import { SyntheticMarket } from "./market.ts";
import { polygonError, polygonRoute } from "./polygon-routes.ts";
import { uniformFor } from "./random.ts";
import { SIM_VENDORS, type FaultPlan, type RateLimitRule, type RequestLogEntry, type SimHandler, type SimVendor } from "./types.ts";

export interface SimulatorOptions {
  /** Seed of the synthetic market and of fault decisions (default 7). */
  seed?: number;
  /** The simulator's today; data exists for sessions before it (default: the real UTC date). */
  today?: string;
  /** Symbols the reference endpoints list (tickers, splits and dividends without a ticker filter). */
  universe?: readonly string[];
  limits?: Partial<Record<SimVendor, readonly RateLimitRule[]>>;
  faults?: Partial<Record<SimVendor, FaultPlan>>;
  /** Port to bind on 127.0.0.1 (default 0: any free port). */
  port?: number;
}

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:40123 (vendors live under /alpaca, /polygon, /finnhub, /fred). */
  readonly url: string;
  /** The simulator's today (setToday moves it). */
  readonly today: string;
  readonly market: SyntheticMarket;
  /**
   * Moves the simulator's clock: from now on data exists for sessions before `date`. The demo replays past
   * sessions' option chains this way, since vendors serve only the latest chain.
   */
  setToday(date: string): void;
  /** Every request so far, in arrival order. */
  readonly log: readonly RequestLogEntry[];
  baseUrl(vendor: SimVendor): string;
  setFaults(vendor: SimVendor, plan: FaultPlan | undefined): void;
  setLimits(vendor: SimVendor, rules: readonly RateLimitRule[] | undefined): void;
  /** Milliseconds since the simulator started, on the clock the log uses. */
  now(): number;
  close(): Promise<void>;
}

export const DEFAULT_UNIVERSE = ["AAPL", "MSFT", "NVDA", "AMZN", "SPY"] as const;

const ERROR_BODY: Readonly<Record<SimVendor, (status: number, message: string) => unknown>> = {
  alpaca: alpacaError, polygon: polygonError, finnhub: finnhubError, fred: fredError,
};

/** Redacts credentials from a logged path: the log is evidence for tests and must never hold a key. */
function loggablePath(url: URL): string {
  const q = new URLSearchParams(url.search);
  for (const secret of ["apiKey", "token", "api_key"]) if (q.has(secret)) q.set(secret, "x");
  const query = q.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

function isBarLike(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && "o" in value && "c" in value && "h" in value && "l" in value;
}

/** Visits every array in a JSON value whose elements are bar-like objects. */
function forEachBarArray(body: unknown, visit: (rows: Record<string, unknown>[]) => void): void {
  if (Array.isArray(body)) {
    if (body.length > 0 && body.every(isBarLike)) visit(body);
    else for (const item of body) forEachBarArray(item, visit);
  } else if (typeof body === "object" && body !== null) {
    for (const v of Object.values(body)) forEachBarArray(v, visit);
  }
}

/** Schema drift: a renamed close field and numbers sent as strings, the shapes vendors have shipped by mistake. */
function drift(body: unknown): void {
  forEachBarArray(body, (rows) => {
    rows.forEach((row, i) => {
      if (i % 2 === 0) {
        row["close_price"] = row["c"];
        delete row["c"];
      }
      row["o"] = String(row["o"]);
    });
  });
  if (typeof body === "object" && body !== null && Array.isArray((body as { observations?: unknown }).observations)) {
    for (const obs of (body as { observations: Record<string, unknown>[] }).observations) obs["value"] = Number(obs["value"]) || null;
  }
  if (typeof body === "object" && body !== null && Array.isArray((body as { c?: unknown }).c)) {
    const candles = body as { c: unknown[] };
    candles.c = candles.c.map(String);
  }
}

/** Renames every object key and string value equal to `from` (the renameSymbol fault). */
function renameSymbol(body: unknown, from: string, to: string): unknown {
  if (body === from) return to;
  if (Array.isArray(body)) return body.map((item) => renameSymbol(item, from, to));
  if (typeof body === "object" && body !== null) {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k === from ? to : k, renameSymbol(v, from, to)]));
  }
  return body;
}

/** Bad rows: a negative low, a duplicate of the first bar and one stamped ten years before the range. */
function injectBadRows(body: unknown): void {
  forEachBarArray(body, (rows) => {
    const first = rows[0];
    if (!first) return;
    rows.push({ ...first });
    if (rows[1]) rows[1]["l"] = -1;
    const stamp = first["t"];
    const old = typeof stamp === "number" ? stamp - 3650 * 86_400_000 : typeof stamp === "string" ? `2009${stamp.slice(4)}` : stamp;
    rows.push({ ...first, t: old });
  });
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = options.seed ?? 7;
  let today = options.today ?? todayUtc();
  addDays(today, 0); // validates the date
  const market = new SyntheticMarket(seed);
  const universe = [...(options.universe ?? DEFAULT_UNIVERSE)];
  const faults = new Map<SimVendor, FaultPlan>(Object.entries(options.faults ?? {}) as [SimVendor, FaultPlan][]);
  const limits = new Map<SimVendor, readonly RateLimitRule[]>(Object.entries(options.limits ?? {}) as [SimVendor, RateLimitRule[]][]);
  const accepted = new Map<SimVendor, number[]>();
  const perVendorSeq = new Map<SimVendor, number>();
  const log: RequestLogEntry[] = [];
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  let baseUrl = "";
  // The two latest heartbeats. A request handled after beat k+1 would have been handled in the loop turn of beat
  // k had it arrived before that turn's I/O phase: it arrived after beat k.
  const BEAT_MS = 5;
  let lastBeat = now();
  let previousBeat = lastBeat;
  const heartbeat = setInterval(() => {
    previousBeat = lastBeat;
    lastBeat = now();
  }, BEAT_MS);
  heartbeat.unref();

  const route = (vendor: SimVendor, path: string): SimHandler | undefined => {
    switch (vendor) {
      case "alpaca": return alpacaRoute(path);
      case "polygon": return polygonRoute(path, universe);
      case "finnhub": return finnhubRoute(path);
      case "fred": return fredRoute(path);
    }
  };

  /**
   * Sliding-window check: the wait in ms until one more request fits every rule (0 = it fits now). Accepted
   * requests are kept at their earliest possible arrival and this one at its latest (its handling time), so only
   * requests that certainly share a window with it count.
   */
  const limitWait = (vendor: SimVendor, at: number): { waitMs: number; rule?: RateLimitRule } => {
    const rules = limits.get(vendor) ?? [];
    const times = accepted.get(vendor) ?? [];
    let worst: { waitMs: number; rule?: RateLimitRule } = { waitMs: 0 };
    for (const rule of rules) {
      const inWindow = times.filter((t) => t > at - rule.windowMs);
      if (inWindow.length >= rule.limit) {
        const oldestBlocking = inWindow[inWindow.length - rule.limit] ?? at;
        const waitMs = oldestBlocking + rule.windowMs - at;
        if (waitMs > worst.waitMs) worst = { waitMs, rule };
      }
    }
    return worst;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = now();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/_sim/log") {
      // The request log for a client in another process (benchmarks); not itself logged.
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(log));
      return;
    }
    const [, prefix = "", ...rest] = url.pathname.split("/");
    const vendor = SIM_VENDORS.find((v) => v === prefix);
    const earliest = Math.min(at, previousBeat);
    const entry: RequestLogEntry = { seq: log.length, atMs: at, earliestMs: earliest, vendor: vendor ?? "alpaca", path: loggablePath(url), status: 0, bytes: 0 };
    log.push(entry);
    const send = (status: number, text: string, headers: Record<string, string> = {}): void => {
      entry.status = status;
      entry.bytes = Buffer.byteLength(text);
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(text);
    };
    if (!vendor) return send(404, JSON.stringify({ error: "unknown vendor prefix" }));
    const path = `/${rest.join("/")}`;
    const handler = route(vendor, path);
    const errorBody = ERROR_BODY[vendor];
    if (!handler) return send(404, JSON.stringify(errorBody(404, `no route ${path}`)));

    const seq = (perVendorSeq.get(vendor) ?? 0) + 1;
    perVendorSeq.set(vendor, seq);
    const plan = faults.get(vendor);
    const active = plan !== undefined && at >= (plan.fromMs ?? 0) && at < (plan.untilMs ?? Infinity) && seq >= (plan.fromRequest ?? 0) && seq < (plan.untilRequest ?? Infinity);
    const roll = (kind: string): number => uniformFor(seed, "fault", vendor, seq, kind);

    const wait = limitWait(vendor, at);
    if (wait.waitMs > 0 && wait.rule) {
      entry.fault = "limit";
      const resetSeconds = Math.ceil((Date.now() + wait.waitMs) / 1000);
      return send(429, JSON.stringify(errorBody(429, "too many requests")), {
        "retry-after": String(Math.max(1, Math.ceil(wait.waitMs / 1000))),
        "x-ratelimit-limit": String(wait.rule.limit),
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(resetSeconds),
      });
    }
    if (active && plan.rate429 !== undefined && roll("429") < plan.rate429) {
      entry.fault = "storm";
      return send(429, JSON.stringify(errorBody(429, "too many requests")), { "retry-after": String(plan.retryAfterSeconds ?? 1) });
    }
    (accepted.get(vendor) ?? accepted.set(vendor, []).get(vendor) ?? []).push(earliest);
    const times = accepted.get(vendor);
    if (times && times.length > 10_000) times.splice(0, times.length - 5_000);

    if (active && plan.expireCursors === true && url.searchParams.has("cursor")) {
      entry.fault = "expired_cursor";
      return send(400, JSON.stringify(errorBody(400, "the cursor has expired; start the listing again")));
    }
    if (active && plan.rate5xx !== undefined && roll("5xx") < plan.rate5xx) {
      entry.fault = "5xx";
      return send(503, JSON.stringify(errorBody(503, "service unavailable")));
    }
    if (active && plan.slowShare !== undefined && roll("slow") < plan.slowShare) {
      entry.fault = "slow";
      await sleep(plan.slowMs ?? 2000);
      if (res.destroyed) return;
    }
    const headers: Record<string, string> = {};
    const rules = limits.get(vendor);
    const firstRule = rules?.[0];
    if (firstRule) {
      const used = (accepted.get(vendor) ?? []).filter((t) => t > at - firstRule.windowMs).length;
      headers["x-ratelimit-limit"] = String(firstRule.limit);
      headers["x-ratelimit-remaining"] = String(Math.max(0, firstRule.limit - used));
    }
    const out = handler({ vendor, path, query: url.searchParams, headers: req.headers, vendorBase: `${baseUrl}/${vendor}`, market, today });
    if (out.status === 200 && active && plan.renameSymbol !== undefined) {
      entry.fault = "rename_symbol";
      out.body = renameSymbol(out.body, plan.renameSymbol.from, plan.renameSymbol.to);
    }
    if (out.status === 200 && active) {
      if (plan.driftShare !== undefined && roll("drift") < plan.driftShare) {
        entry.fault = "drift";
        drift(out.body);
      }
      if (plan.skewBps !== undefined || plan.dropRows !== undefined) {
        const factor = 1 + (plan.skewBps ?? 0) / 10_000;
        forEachBarArray(out.body, (rows) => {
          for (const row of rows) {
            for (const k of ["o", "h", "l", "c"]) {
              const v = row[k];
              if (typeof v === "number") row[k] = Math.round(v * factor * 100) / 100;
            }
          }
          rows.splice(0, Math.min(rows.length, plan.dropRows ?? 0));
        });
        entry.fault = "skew";
      }
      if (plan.badRows) {
        entry.fault = entry.fault ? `${entry.fault},bad_rows` : "bad_rows";
        injectBadRows(out.body);
      }
      if (plan.malformedShare !== undefined && roll("malformed") < plan.malformedShare) {
        entry.fault = "malformed";
        const text = JSON.stringify(out.body);
        return send(200, text.slice(0, Math.max(1, Math.floor(text.length / 2))), { ...headers, ...out.headers });
      }
    }
    send(out.status, JSON.stringify(out.body), { ...headers, ...out.headers });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new IoError("sim_listen_failed", `the simulator could not listen on 127.0.0.1: ${error.message}`, { cause: error })));
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${address.port}`;

  return {
    url: baseUrl,
    get today() {
      return today;
    },
    setToday: (date) => {
      addDays(date, 0); // validates the date
      today = date;
    },
    market,
    log,
    baseUrl: (vendor) => `${baseUrl}/${vendor}`,
    setFaults: (vendor, plan) => {
      if (plan === undefined) faults.delete(vendor);
      else faults.set(vendor, plan);
    },
    setLimits: (vendor, rules) => {
      if (rules === undefined) limits.delete(vendor);
      else limits.set(vendor, rules);
    },
    now,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Parses "alpaca=200/60s,polygon=5/60s" style limits (used by the demo and benches). */
export function parseSimLimits(spec: string): Partial<Record<SimVendor, RateLimitRule[]>> {
  const out: Partial<Record<SimVendor, RateLimitRule[]>> = {};
  for (const part of spec.split(",").filter(Boolean)) {
    const m = /^(\w+)=(\d+)\/(\d+(?:\.\d+)?)s$/.exec(part.trim());
    const vendor = SIM_VENDORS.find((v) => v === m?.[1]);
    if (!m || !vendor) throw new UsageError("bad_sim_limits", `"${part}" is not vendor=N/Ss`);
    (out[vendor] ??= []).push({ limit: Number(m[2]), windowMs: Number(m[3]) * 1000 });
  }
  return out;
}
