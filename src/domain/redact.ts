/**
 * Secret redaction. Secrets (vendor keys, S3 credentials) are registered once when the environment is
 * loaded; every log line and every error message written by trademl passes through `redact`.
 */
const secrets = new Set<string>();

/** Minimum length of a value treated as a secret; shorter values would redact ordinary words. */
const MIN_SECRET_LENGTH = 4;

export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join("[REDACTED]");
  }
  return out;
}

/** Test hook: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
}
