/** Opaque page tokens for the simulator: an offset bound to the query it belongs to, base64url-encoded. */
import { hashString } from "./random.ts";

export function makePageToken(queryKey: string, offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, q: hashString(queryKey) })).toString("base64url");
}

/** The offset a token points at, or undefined when the token is absent, garbled or from another query. */
export function readPageToken(token: string | null, queryKey: string): number | undefined {
  if (token === null || token === "") return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown; q?: unknown };
    if (typeof parsed.o !== "number" || parsed.q !== hashString(queryKey)) return undefined;
    return parsed.o;
  } catch {
    return undefined;
  }
}

export function clampLimit(raw: string | null, fallback: number, max: number): number {
  const n = raw === null ? fallback : Number(raw);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}
