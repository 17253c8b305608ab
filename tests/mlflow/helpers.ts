/** Small helpers the MLflow test files share. */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { nextSession } from "../../src/domain/calendar/nyse.ts";

/** The error a promise rejects with (the test fails if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** A name no other test file or run picks (MLflow names are unique per server). */
export function uniqueName(topic: string): string {
  return `${topic}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
}

/** The `n` NYSE sessions after `start`. */
export function sessionsAfter(start: string, n: number): string[] {
  const out: string[] = [];
  let day = start;
  for (let i = 0; i < n; i++) out.push((day = nextSession(day)));
  return out;
}
