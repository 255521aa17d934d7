/**
 * Deterministic pseudo-randomness for routing: the same (seed, index) always
 * gives the same number, on every machine, so a routing decision can be
 * replayed exactly. SplitMix32-style mixing of a 32-bit state; not for secrets.
 */
export function seedFrom(text: string): number {
  // FNV-1a over UTF-16 code units.
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A 32-bit unsigned integer determined by `seed` and `index`. */
export function uint32At(seed: number, index: number): number {
  let z = (seed + Math.imul(index, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A number in [0, 1) determined by `seed` and `index`. */
export function uniformAt(seed: number, index: number): number {
  return uint32At(seed, index) / 4_294_967_296;
}

/**
 * The integer form of a cumulative share: `uint32At(...) < threshold(c)`
 * exactly when `uniformAt(...) < c`, so hot loops can skip the division.
 */
export function uint32Threshold(cumulative: number): number {
  return Math.ceil(cumulative * 4_294_967_296);
}
