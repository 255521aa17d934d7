import { describe, expect, it } from 'vitest';
import { sessionReplayLimits as L } from '../../../../functions/core/session-replay/limits.ts';
import type { RecordingRecord } from '../../../../functions/core/session-replay/model.ts';
import { dueOffset, planRequests, planWindows } from '../../../../functions/core/session-replay/plan.ts';

const recording = (i: number, startedAtMs: number, bodySize = 0): RecordingRecord => ({
  id: `rec_${i}`,
  endpoint_id: 'pep_1',
  session_id: 'ses_1',
  method: 'GET',
  path: `/${i}`,
  query: '',
  request_headers: {},
  request_body: bodySize ? { size: bodySize, truncated: false, encoding: 'utf8', objectKey: `k${i}` } : null,
  response_status: 200,
  response_headers: { 'content-type': 'application/json' },
  response_body: null,
  started_at_ms: startedAtMs,
  duration_ms: 1,
  redacted_headers: [],
  upstream_error: null,
  source: 'proxy',
});

describe('replay timing', () => {
  it('sends everything at once at instant, keeps offsets at 1x, halves them at 2x and doubles them at 0.5x', () => {
    expect([0, 1_000, 2_500].map((ms) => dueOffset(ms, 'instant'))).toEqual([0, 0, 0]);
    expect([0, 1_000, 2_500].map((ms) => dueOffset(ms, '1x'))).toEqual([0, 1_000, 2_500]);
    expect([0, 1_000, 2_500].map((ms) => dueOffset(ms, '2x'))).toEqual([0, 500, 1_250]);
    expect([0, 1_000, 2_500].map((ms) => dueOffset(ms, '0.5x'))).toEqual([0, 2_000, 5_000]);
  });

  it('measures every offset from the first request, never from the previous one, and never schedules one before an earlier arrival', () => {
    const t0 = 1_700_000_000_000;
    const plan = planRequests([recording(0, t0), recording(1, t0 + 333), recording(2, t0 + 333 + 333), recording(3, t0 + 100)], '2x');
    expect(plan.map((p) => p.offset_ms)).toEqual([0, 167, 333, 50]);
    expect(plan.map((p) => p.index)).toEqual([0, 1, 2, 3]);
    expect(planRequests([recording(0, t0), recording(1, t0 - 5)], '1x').map((p) => p.offset_ms)).toEqual([0, 0]);
  });
});

describe('replay windows', () => {
  const t0 = 0;
  it('cuts a timed plan by schedule span, starting each window at its first request', () => {
    const plan = planRequests([0, 10_000, 59_999, 60_000, 200_000, 200_001].map((ms, i) => recording(i, t0 + ms)), '1x');
    expect(planWindows(plan, '1x')).toEqual([
      { first: 0, count: 3, start_offset_ms: 0, end_offset_ms: 59_999 },
      { first: 3, count: 1, start_offset_ms: 60_000, end_offset_ms: 60_000 },
      { first: 4, count: 2, start_offset_ms: 200_000, end_offset_ms: 200_001 },
    ]);
  });

  it('cuts an instant plan by request count, and any plan by body bytes held in memory', () => {
    const many = planRequests(Array.from({ length: L.maxWindowRequests * 2 + 1 }, (_, i) => recording(i, t0 + i)), 'instant');
    expect(planWindows(many, 'instant').map((w) => [w.first, w.count])).toEqual([
      [0, L.maxWindowRequests],
      [L.maxWindowRequests, L.maxWindowRequests],
      [L.maxWindowRequests * 2, 1],
    ]);
    const heavy = planRequests(Array.from({ length: 3 }, (_, i) => recording(i, t0, L.maxWindowBodyBytes / 2)), 'instant');
    expect(planWindows(heavy, 'instant').map((w) => w.count)).toEqual([2, 1]);
  });

  it('honours a shorter span', () => {
    const plan = planRequests([0, 300, 700, 1_200].map((ms, i) => recording(i, ms)), '1x');
    expect(planWindows(plan, '1x', 500).map((w) => w.count)).toEqual([2, 1, 1]);
  });
});
