/**
 * A small HTTP proxy in front of the real MLflow server that injects faults on chosen requests: an error status,
 * a dropped connection after the server acted, or a rewritten Host header (to get MLflow's own DNS-rebinding
 * refusal). It records every request line and Authorization header it sees, so tests can count retries.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FaultKind =
  | { readonly kind: "status"; readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | { readonly kind: "drop_response" }
  | { readonly kind: "host"; readonly host: string };

export interface Fault {
  readonly method: string;
  readonly pathIncludes: string;
  remaining: number;
  readonly fault: FaultKind;
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
}

export interface FaultProxy {
  readonly uri: string;
  readonly faults: Fault[];
  readonly seen: SeenRequest[];
  /** Requests seen whose method matches and whose URL contains `pathIncludes`. */
  count(method: string, pathIncludes: string): number;
  close(): Promise<void>;
}

export async function startFaultProxy(targetUri: string): Promise<FaultProxy> {
  const target = new URL(targetUri);
  const faults: Fault[] = [];
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "";
    const method = req.method ?? "GET";
    seen.push({ method, url, authorization: req.headers.authorization });
    const fault = faults.find((f) => f.remaining > 0 && f.method === method && url.includes(f.pathIncludes));
    if (fault !== undefined) fault.remaining--;
    const injected = fault?.fault;
    if (injected?.kind === "status") {
      req.resume();
      res.writeHead(injected.status, { "content-type": "application/json", ...injected.headers });
      res.end(injected.body ?? JSON.stringify({ error_code: "TEMPORARILY_UNAVAILABLE", message: "injected by the fault proxy" }));
      return;
    }
    const headers = { ...req.headers, host: injected?.kind === "host" ? injected.host : `${target.hostname}:${target.port}` };
    const upstream = request({ host: target.hostname, port: target.port, method, path: url, headers }, (up) => {
      if (injected?.kind === "drop_response") {
        // The server acted; the client never hears about it.
        up.resume();
        up.on("end", () => res.socket?.destroy());
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.socket?.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    uri: `http://127.0.0.1:${port}`,
    faults,
    seen,
    count: (method, pathIncludes) => seen.filter((s) => s.method === method && s.url.includes(pathIncludes)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
