/**
 * Output divergence between the two sides of a pair: whether the outputs are
 * identical, and a similarity score — the token F1 of SQuAD's answer
 * comparison (lower-cased, punctuation and articles removed, whitespace
 * tokens; precision and recall of the shared token multiset). 1 means the
 * same words in any order, 0 none in common; two empty outputs score 1.
 */
export function tokenF1(a: string, b: string): number {
  const left = normalisedTokens(a);
  const right = normalisedTokens(b);
  if (left.length === 0 || right.length === 0) return left.length === right.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const token of left) counts.set(token, (counts.get(token) ?? 0) + 1);
  let shared = 0;
  for (const token of right) {
    const n = counts.get(token) ?? 0;
    if (n > 0) {
      shared++;
      counts.set(token, n - 1);
    }
  }
  if (shared === 0) return 0;
  const precision = shared / right.length;
  const recall = shared / left.length;
  return (2 * precision * recall) / (precision + recall);
}

function normalisedTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .split(/\s+/)
    .filter((token) => token && token !== 'a' && token !== 'an' && token !== 'the');
}
