// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): integer
// arithmetic only, so a seed gives the same stream on every platform.

let state: u64 = 0;

export function seedRng(seed: u64): void {
  state = seed;
}

export function nextU64(): u64 {
  state += 0x9e3779b97f4a7c15;
  let z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** Uniform in [0, 1) with 53 random bits. */
export function nextUnit(): f64 {
  return <f64>(nextU64() >> 11) * 1.1102230246251565e-16; // 2^-53
}

/** Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; the bias is below 2^-32 for n < 2^31). */
export function nextBelow(n: i32): i32 {
  return <i32>(((nextU64() >> 32) * <u64>n) >> 32);
}
