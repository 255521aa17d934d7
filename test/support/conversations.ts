/**
 * `n` full-fidelity traces for tests and benchmarks: a short conversation
 * each, with recorded input tokens as the fake provider counts them (a
 * quarter of the characters plus 4 per message) and `words` output tokens.
 */
export function conversations(n: number, words = 6) {
  return Array.from({ length: n }, (_, i) => {
    const content = Array.from({ length: words }, (_, w) => `word${(i + w) % 97}`).join(' ');
    const system = 'You are terse.';
    return {
      input_tokens: Math.ceil(system.length / 4) + 4 + Math.ceil(content.length / 4) + 4,
      output_tokens: words,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content },
      ],
    };
  });
}
