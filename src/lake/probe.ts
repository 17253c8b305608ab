/**
 * The store conformance probe (DESIGN.md "The lake protocol"): proves, against the real store, the
 * conditional-write behaviour that manifests, leases and state objects depend on. Required checks gate
 * multi-writer work; clock skew and conditional DELETE are reported only.
 */
import { UsageError } from "../domain/errors.ts";
import { uuidv7 } from "./keys.ts";
import type { ObjectStore, ProbeCheckName, ProbeCheckResult, ProbeReport } from "./types.ts";

export const PROBE_MEANINGS: Readonly<Record<ProbeCheckName, string>> = {
  create_only_twice: "a second create-only write (If-None-Match: *) to an existing key must be refused; manifest commits rely on it so two writers never both commit the same seq",
  wrong_etag: "a compare-and-swap (If-Match) with a stale ETag must be refused; leases, bookmarks and budgets rely on it so concurrent updates are never lost",
  cas_missing_key: "a compare-and-swap on a missing key must never succeed; otherwise a deleted lease or bookmark could be resurrected by a stale writer",
  concurrent_create_only: "of 8 simultaneous create-only writes to one key exactly one may win; otherwise racing commits can overwrite each other",
  clock_skew: "difference between this machine's clock and the store's; leases are judged on the store's clock, so skew is reported, not fatal",
  conditional_delete: "whether a DELETE with a wrong If-Match is refused; stores differ (MinIO deletes anyway), so trademl never depends on it",
};

const WRONG_ETAG = "00000000000000000000000000000000";

function result(name: ProbeCheckName, required: boolean, status: ProbeCheckResult["status"], detail: string): ProbeCheckResult {
  return { name, required, status, meaning: PROBE_MEANINGS[name], detail };
}

/** Runs every check under a fresh `probe/<uuidv7>/` prefix and removes what it wrote. Stops when `signal` aborts. */
export async function probeStore(store: ObjectStore, signal?: AbortSignal): Promise<ProbeReport> {
  const base = `probe/${uuidv7()}`;
  const written: string[] = [];
  const checks: ProbeCheckResult[] = [];
  const guarded = async (name: ProbeCheckName, required: boolean, run: () => Promise<ProbeCheckResult>): Promise<ProbeCheckResult> => {
    signal?.throwIfAborted();
    try {
      return await run();
    } catch (error) {
      // Interrupted is not a verdict on the store: stop instead of reporting every remaining check as failed.
      signal?.throwIfAborted();
      return result(name, required, required ? "fail" : "info", `the check could not run: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  try {
    checks.push(
      await guarded("create_only_twice", true, async () => {
        const key = `${base}/create-only`;
        written.push(key);
        const first = await store.put(key, "first", { condition: { ifNoneMatch: "*" } });
        const second = await store.put(key, "second", { condition: { ifNoneMatch: "*" } });
        const body = new TextDecoder().decode((await store.get(key))?.body);
        if (!first.ok) return result("create_only_twice", true, "fail", "the FIRST create-only write to a fresh key was refused");
        if (second.ok || body !== "first") return result("create_only_twice", true, "fail", `the second create-only write ${second.ok ? "succeeded" : "was refused"} and the object now holds "${body}"`);
        return result("create_only_twice", true, "pass", "second create-only write refused; first value kept");
      }),
    );
    checks.push(
      await guarded("wrong_etag", true, async () => {
        const key = `${base}/cas`;
        written.push(key);
        const put = await store.put(key, "v1");
        if (!put.ok) return result("wrong_etag", true, "fail", "an unconditional write was refused");
        const wrong = await store.put(key, "v2-wrong", { condition: { ifMatch: WRONG_ETAG } });
        const right = await store.put(key, "v2-right", { condition: { ifMatch: put.etag } });
        const stale = await store.put(key, "v3-stale", { condition: { ifMatch: put.etag } });
        const body = new TextDecoder().decode((await store.get(key))?.body);
        if (wrong.ok) return result("wrong_etag", true, "fail", "a write with a wrong If-Match ETag succeeded");
        if (!right.ok) return result("wrong_etag", true, "fail", "a write with the correct If-Match ETag was refused");
        if (stale.ok || body !== "v2-right") return result("wrong_etag", true, "fail", `a write with an ETag that was current one write ago ${stale.ok ? "succeeded" : "was refused"}; object holds "${body}"`);
        return result("wrong_etag", true, "pass", "wrong and stale ETags refused; the current ETag accepted");
      }),
    );
    checks.push(
      await guarded("cas_missing_key", true, async () => {
        const key = `${base}/missing`;
        written.push(key);
        const cas = await store.put(key, "ghost", { condition: { ifMatch: WRONG_ETAG } });
        const exists = (await store.head(key)) !== undefined;
        if (cas.ok || exists) return result("cas_missing_key", true, "fail", "a compare-and-swap on a missing key created it");
        return result("cas_missing_key", true, "pass", "compare-and-swap on a missing key refused");
      }),
    );
    checks.push(
      await guarded("concurrent_create_only", true, async () => {
        const key = `${base}/race`;
        written.push(key);
        const bodies = Array.from({ length: 8 }, (_, i) => `writer-${i}`);
        const outcomes = await Promise.all(bodies.map((body) => store.put(key, body, { condition: { ifNoneMatch: "*" } })));
        const winners = outcomes.flatMap((outcome, i) => (outcome.ok ? [bodies[i]] : []));
        const stored = new TextDecoder().decode((await store.get(key))?.body);
        if (winners.length !== 1) return result("concurrent_create_only", true, "fail", `${winners.length} of 8 concurrent create-only writes succeeded (exactly 1 must)`);
        if (stored !== winners[0]) return result("concurrent_create_only", true, "fail", `the winner wrote "${winners[0]}" but the object holds "${stored}"`);
        return result("concurrent_create_only", true, "pass", "exactly 1 of 8 concurrent create-only writes won, and its body is stored");
      }),
    );
    let skew = 0;
    checks.push(
      await guarded("clock_skew", false, async () => {
        const before = Date.now();
        const server = (await store.serverTime()).getTime();
        const after = Date.now();
        skew = Math.round(server - (before + after) / 2);
        return result("clock_skew", false, "info", `store clock ${skew >= 0 ? "ahead of" : "behind"} this machine by ${Math.abs(skew)} ms (±${Math.ceil((after - before) / 2)} ms round trip${store.kind === "s3" ? ", ±500 ms Date-header resolution" : ""})`);
      }),
    );
    checks.push(
      await guarded("conditional_delete", false, async () => {
        const key = `${base}/delete`;
        written.push(key);
        await store.put(key, "keep me");
        const outcome = await store.delete(key, { ifMatch: WRONG_ETAG });
        const survived = (await store.head(key)) !== undefined;
        const honoured = survived && !outcome.ok;
        return result("conditional_delete", false, "info", honoured ? "honoured: a DELETE with a wrong If-Match was refused" : "ignored: a DELETE with a wrong If-Match deleted the object (trademl does not depend on it)");
      }),
    );
    const multiWriterSafe = checks.every((check) => !check.required || check.status === "pass");
    return { store: store.description, checks, multiWriterSafe, clockSkewMs: skew };
  } finally {
    for (const key of written) await store.delete(key).catch(() => undefined);
  }
}

/** Throws a UsageError naming each failed required check and what it means; multi-writer work calls this. */
export function assertMultiWriterSafe(report: ProbeReport): void {
  const failed = report.checks.filter((check) => check.required && check.status !== "pass");
  if (failed.length === 0) return;
  const lines = failed.map((check) => `  - ${check.name}: ${check.detail}. Why it matters: ${check.meaning}`);
  throw new UsageError("store_not_multi_writer_safe", `the lake store ${report.store} is refused for multi-writer work; failed checks:\n${lines.join("\n")}`);
}

/** A short human-readable table of a probe report. */
export function formatProbeReport(report: ProbeReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const rows = report.checks.map((check) => `${check.status.toUpperCase().padEnd(4)}  ${check.name.padEnd(width)}  ${check.detail}`);
  const verdict = report.multiWriterSafe ? "safe for multi-writer work" : "NOT safe for multi-writer work";
  return [`store: ${report.store} — ${verdict}`, ...rows].join("\n");
}
