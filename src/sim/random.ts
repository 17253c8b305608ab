/**
 * Deterministic randomness for the simulator. Every number is a pure function of (seed, labels), never of
 * call order, so a price on a date is the same whichever range a request asks for.
 */

/** FNV-1a 32-bit over UTF-16 code units (Fowler–Noll–Vo, http://www.isthe.com/chongo/tech/comp/fnv/). */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32 (Tommy Ettinger, public domain): a small 32-bit PRNG, good enough for synthetic data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform in [0, 1) keyed by labels. */
export function uniformFor(seed: number, ...labels: readonly (string | number)[]): number {
  return mulberry32(hashString(labels.join("|"), seed))();
}

/** A standard normal keyed by labels (Box–Muller on two keyed uniforms). */
export function normalFor(seed: number, ...labels: readonly (string | number)[]): number {
  const rng = mulberry32(hashString(labels.join("|"), seed));
  const u1 = Math.max(rng(), 1e-12);
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
