/**
 * How alike two texts are, 0 to 1: the Sørensen–Dice coefficient of their
 * character bigrams (as multisets). Linear in the texts' length, so two
 * 1 MB answers compare in milliseconds, unlike an edit distance. A common
 * prefix and suffix are counted without hashing: their bigrams are shared
 * by both texts, so only the part between them is compared bigram by bigram.
 */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const shortest = Math.min(a.length, b.length);
  let prefix = 0;
  while (prefix < shortest && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shortest - prefix && a.charCodeAt(a.length - 1 - suffix) === b.charCodeAt(b.length - 1 - suffix)) suffix++;
  const shared = Math.max(prefix - 1, 0) + Math.max(suffix - 1, 0);
  const start = Math.max(prefix - 1, 0);
  const middle = sharedBigrams(a.slice(start, a.length - Math.max(suffix - 1, 0)), b.slice(start, b.length - Math.max(suffix - 1, 0)));
  return (2 * (shared + middle)) / (a.length - 1 + (b.length - 1));
}

function sharedBigrams(a: string, b: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < a.length - 1; i++) {
    const bigram = a.charCodeAt(i) * 65_536 + a.charCodeAt(i + 1);
    counts.set(bigram, (counts.get(bigram) ?? 0) + 1);
  }
  let shared = 0;
  for (let i = 0; i < b.length - 1; i++) {
    const bigram = b.charCodeAt(i) * 65_536 + b.charCodeAt(i + 1);
    const left = counts.get(bigram);
    if (left) {
      shared++;
      counts.set(bigram, left - 1);
    }
  }
  return shared;
}
