import { describe, expect, it } from 'vitest';
import { atExpression } from '../../../functions/adapters/sqs/run-dispatcher.ts';

describe("a run's one-time schedule expression", () => {
  it.each([
    ['2026-12-01T09:00:00.731Z', 'at(2026-12-01T09:00:01)'],
    ['2026-12-01T09:00:00.001Z', 'at(2026-12-01T09:00:01)'],
    ['2026-12-01T09:00:00.000Z', 'at(2026-12-01T09:00:00)'],
    ['2026-12-31T23:59:59.500Z', 'at(2027-01-01T00:00:00)'],
  ])('for %s is %s: the whole second at or after the run’s time, never before it', (time, expression) => {
    expect(atExpression(new Date(time))).toBe(expression);
  });
});
