import { describe, expect, it } from 'vitest';
import { compareAttempts, compareWithRecorded } from '../../../../functions/core/reproducibility/compare.ts';
import { similarity } from '../../../../functions/core/reproducibility/similarity.ts';

const completion = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: `chatcmpl-${Math.random().toString(36).slice(2)}abcdefghijkl`, created: 1_764_000_000 + Math.floor(Math.random() * 100), model: 'm', choices: [{ index: 0, message: { role: 'assistant', content } }], usage: { total_tokens: content.length }, ...extra });

describe('compareAttempts', () => {
  it('passes equal OpenAI answers and reports their envelope as noise', () => {
    const result = compareAttempts([1, 2, 3].map((index) => ({ index, body: completion('Paris') })));

    expect(result.output_kind).toBe('openai_choices');
    expect(result.attempts.map((a) => a.result)).toEqual(['pass', 'pass', 'pass']);
    expect(result.divergent_paths).toEqual([]);
    expect(result.noise_paths).toContainEqual({ path: 'id', attempts: 2, reason: 'envelope' });
  });

  it('fails a different message content, naming its path, with a similarity under 1', () => {
    const result = compareAttempts([
      { index: 1, body: completion('The capital of France is Paris.') },
      { index: 2, body: completion('The capital of France is Paris!') },
    ]);

    expect(result.attempts[1]).toMatchObject({ result: 'fail', diverging_paths: ['choices[0].message.content'] });
    expect(result.attempts[1]!.similarity).toBeGreaterThan(0.8);
    expect(result.attempts[1]!.similarity).toBeLessThan(1);
    expect(result.divergent_paths).toEqual([{ path: 'choices[0].message.content', attempts: 1 }]);
  });

  it('counts tool calls in the message as output', () => {
    const call = (city: string) => JSON.stringify({ choices: [{ message: { role: 'assistant', tool_calls: [{ id: 'call_1', function: { name: 'weather', arguments: `{"city":"${city}"}` } }] } }] });

    const result = compareAttempts([
      { index: 1, body: call('Paris') },
      { index: 2, body: call('Lyon') },
    ]);

    expect(result.attempts[1]!.diverging_paths).toEqual(['choices[0].message.tool_calls[0].function.arguments']);
  });

  it('treats timestamps, UUIDs and provider ids that differ as noise anywhere in a JSON answer, and ignore_paths too', () => {
    const body = (n: number, answer: string) =>
      JSON.stringify({ result: { answer, trace: { request_id: `req_${'abcdefghijklmnop'}${n}`, at: `2026-11-30T09:00:0${n}Z`, uuid: `0190a0b0-0000-7000-8000-00000000000${n}`, updatedAt: 1_764_000_000 + n }, debug: n } });

    const result = compareAttempts([
      { index: 1, body: body(1, 'yes') },
      { index: 2, body: body(2, 'yes') },
    ], ['result.debug']);

    expect(result.attempts[1]!.result).toBe('pass');
    expect(result.noise_paths.map((p) => [p.path, p.reason])).toEqual(
      expect.arrayContaining([
        ['result.trace.request_id', 'volatile'],
        ['result.trace.at', 'volatile'],
        ['result.trace.uuid', 'volatile'],
        ['result.trace.updatedAt', 'volatile'],
        ['result.debug', 'ignored'],
      ]),
    );
  });

  it('compares text answers whole, and takes the first answered attempt as the reference', () => {
    const result = compareAttempts([
      { index: 2, body: 'same' },
      { index: 3, body: 'same' },
      { index: 4, body: 'other' },
    ]);

    expect(result.reference).toBe(2);
    expect(result.output_kind).toBe('text');
    expect(result.attempts.map((a) => [a.index, a.result])).toEqual([[2, 'pass'], [3, 'pass'], [4, 'fail']]);
    expect(result.attempts[2]!.diverging_paths).toEqual(['$']);
  });

  it('matches ignore_paths with [*] and * and everything below them', () => {
    const result = compareAttempts([
      { index: 1, body: JSON.stringify({ choices: [{ message: { content: 'a', refusal: null } }, { message: { content: 'b' } }] }) },
      { index: 2, body: JSON.stringify({ choices: [{ message: { content: 'x', refusal: 'no' } }, { message: { content: 'y' } }] }) },
    ], ['choices[*].message.content', 'choices[0].*']);

    expect(result.attempts[1]!.result).toBe('pass');
  });
});

describe('compareWithRecorded', () => {
  it("compares a recorded text with an OpenAI answer's first message", () => {
    expect(compareWithRecorded('Paris', completion('Paris'))).toMatchObject({ matches: true, similarity: 1 });
    expect(compareWithRecorded('Paris', completion('Lyon'))).toMatchObject({ matches: false, diverging_paths: ['$'] });
  });

  it('compares recorded JSON path by path', () => {
    expect(compareWithRecorded({ answer: 42, at: '2026-01-01T00:00:00Z' }, JSON.stringify({ answer: 42, at: '2026-11-30T00:00:00Z' }))).toMatchObject({ matches: true });
    expect(compareWithRecorded({ answer: 42 }, JSON.stringify({ answer: 41 }))).toMatchObject({ matches: false, diverging_paths: ['answer'] });
  });
});

describe('similarity', () => {
  it('is 1 for equal texts, 0 for texts without a shared bigram, and symmetric', () => {
    expect(similarity('night', 'night')).toBe(1);
    expect(similarity('abc', 'xyz')).toBe(0);
    expect(similarity('night', 'nacht')).toBeCloseTo(similarity('nacht', 'night'));
    expect(similarity('night', 'nacht')).toBeCloseTo(0.25);
  });
});
