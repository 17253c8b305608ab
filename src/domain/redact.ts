/**
 * Secret redaction. Secrets (vendor keys, S3 credentials) are registered once when the environment is
 * loaded; every log line and every error message written by trademl passes through `redact`.
 *
 * Credentials written into a URL (`http://user:secret@minio:9000`, RFC 3986 §3.2.1 "userinfo") are redacted
 * wherever a URL appears, registered or not: an endpoint is configuration that gets printed (`lake probe`,
 * `config check`, store descriptions in errors), and RFC 3986 itself deprecates passwords in URLs.
 */
const secrets = new Set<string>();

/** Minimum length of a value treated as a secret; shorter values would redact ordinary words. */
const MIN_SECRET_LENGTH = 4;

export const REDACTED = "[REDACTED]";

/**
 * `scheme://userinfo@` where the text after "@" is not itself a URL: a store description such as
 * `s3://bucket@http://minio:9000` names a bucket before the "@", not a user.
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]+)@(?![a-z][a-z0-9+.-]*:\/\/)/gi;

export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

/**
 * Registers the password of a URL as a secret (raw and percent-decoded), so it is redacted even where it appears
 * outside its URL. The user name is left to the URL rule: it is often a short word ("minio") that also names
 * the host, and redacting it everywhere would garble ordinary messages.
 */
export function registerUrlSecrets(url: string | undefined): void {
  if (url === undefined) return;
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return;
  }
  if (password === "") return;
  registerSecret(password);
  try {
    registerSecret(decodeURIComponent(password));
  } catch {
    // a malformed escape: the raw form is registered
  }
}

/** The URL without its userinfo, for display (`http://user:pw@host:9000/` → `http://host:9000/`). */
export function withoutUserinfo(url: string): string {
  return url.replace(URL_USERINFO, "$1");
}

export function redact(text: string): string {
  let out = text.replace(URL_USERINFO, `$1${REDACTED}@`);
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Test hook: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
}
