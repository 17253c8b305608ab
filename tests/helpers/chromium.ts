/**
 * Launches the test service's headless Chromium (tests/helpers/services.ts `chromiumService()`) with
 * playwright-core: Debian's browser through `executablePath`, never a downloaded one, in a fresh profile that is
 * deleted on close. A session records every console error, uncaught page error and failed request, so a test can
 * assert a page loaded cleanly. Node only (see docs/testing.md, "Node-only suites").
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { ChromiumService } from "./services.ts";

/**
 * Flags beyond playwright's own. This machine's network is closed: without --disable-background-networking,
 * --disable-component-update and --disable-sync Chromium's own connections (field trials, component updates,
 * sync) are refused and show up as errors; --disable-quic keeps it off UDP; --disable-gpu because CI has none.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface ChromiumSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console messages of type error, uncaught exceptions and failed requests, in the order they happened. */
  readonly problems: string[];
  close(): Promise<void>;
}

/** Chromium's sandbox needs user namespaces it cannot get as root; as any other user it stays on. */
function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

export async function openChromium(service: ChromiumService, viewport = { width: 1024, height: 768 }): Promise<ChromiumSession> {
  // launchPersistentContext, not launch + --user-data-dir: playwright refuses a --user-data-dir argument, and a
  // profile folder we own is one we can delete.
  const profile = await mkdtemp(join(tmpdir(), "trademl-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: service.executablePath,
      headless: true,
      chromiumSandbox: !isRoot(),
      args: [...CHROMIUM_ARGS],
      viewport,
      timeout: 120_000,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url().slice(0, 120)} (${request.failure()?.errorText ?? "?"})`));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
