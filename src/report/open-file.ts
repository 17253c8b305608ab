/**
 * Opens a file with the operating system's opener — `xdg-open` (Linux, the BSDs), `open` (macOS), `start` through
 * `cmd` (Windows) — for `trademl report --open`. A machine without one (a headless Pi, a container) is an
 * expected outcome, not an error: the caller prints where the file is instead.
 */
import { spawn } from "node:child_process";

export type OpenResult =
  | { readonly opened: true; readonly command: string }
  | { readonly opened: false; readonly command: string; readonly reason: string };

export interface OpenOptions {
  readonly platform?: string;
  /** Environment of the opener (default this process's); tests point PATH at a fake opener. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long to wait for the opener to exit before leaving it running (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * The opener and its arguments. Windows: `start` is a cmd built-in whose first quoted argument is the window
 * title, so an empty title goes first (Node quotes the empty argument as `""`) and a path with spaces stays one
 * argument.
 */
export function openerCommand(platform: string, path: string): { command: string; args: string[] } {
  if (platform === "win32") return { command: "cmd", args: ["/c", "start", "", path] };
  if (platform === "darwin") return { command: "open", args: [path] };
  return { command: "xdg-open", args: [path] };
}

export function openInBrowser(path: string, options: OpenOptions = {}): Promise<OpenResult> {
  const { command, args } = openerCommand(options.platform ?? process.platform, path);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolvePromise) => {
    let settled = false;
    const settle = (result: OpenResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise(result);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { stdio: "ignore", detached: true, env: { ...(options.env ?? process.env) } });
    } catch (error) {
      resolvePromise({ opened: false, command, reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    // An opener that hands the file to a browser and keeps running is a success; stop waiting for it.
    const timer = setTimeout(() => {
      child.unref();
      settle({ opened: true, command });
    }, timeoutMs);
    child.once("error", (error: NodeJS.ErrnoException) => {
      settle({ opened: false, command, reason: error.code === "ENOENT" ? `${command} is not installed` : error.message });
    });
    child.once("exit", (code, signal) => {
      settle(code === 0 ? { opened: true, command } : { opened: false, command, reason: `${command} exited with ${code === null ? `signal ${signal ?? "?"}` : `code ${code}`}` });
    });
  });
}
