import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDiffValue,
  formatDuration,
  formatOffset,
  formatStatus,
  formatTimeRange,
  groupingText,
  replayProgress,
  replayProgressText,
  requestTarget,
  sessionTitle,
  SPEED_LABELS,
} from '../../../web/src/proxy/proxy-format.ts';
import { REPLAY_SPEEDS } from '../../../web/src/proxy/types.ts';

const utc = { locale: 'en-US', timeZone: 'UTC' };
const summary = (total: number, passed: number, failed: number) => ({ total, sent: passed + failed, passed, failed, pending: total - passed - failed });

describe('Proxy page formats', () => {
  it('show a recorded request with its query', () => {
    expect(requestTarget('/cart', 'user=7&x=%20')).toBe('/cart?user=7&x=%20');
    expect(requestTarget('/cart', '')).toBe('/cart');
  });

  it('say durations as people do, from milliseconds to hours', () => {
    const cases: [number, string][] = [
      [0, '0 ms'],
      [999, '999 ms'],
      [1_000, '1 s'],
      [1_250, '1.2 s'],
      [9_999, '9.9 s'],
      [10_000, '10 s'],
      [59_999, '59 s'],
      [60_000, '1 min'],
      [185_000, '3 min 5 s'],
      [3_600_000, '1 h'],
      [7_620_000, '2 h 7 min'],
      [-5, '0 ms'],
    ];
    for (const [ms, text] of cases) expect(formatDuration(ms, 'en-US'), String(ms)).toBe(text);
    expect(formatOffset(1_500, 'en-US')).toBe('+1.5 s');
    expect(formatOffset(0, 'en-US')).toBe('+0 ms');
  });

  it('show a session’s time range with the day once when both ends share it, and its span', () => {
    expect(formatTimeRange('2026-11-25T10:00:01.000Z', '2026-11-25T10:00:05.200Z', utc)).toBe('Nov 25, 2026, 10:00:01 AM – 10:00:05 AM (4.2 s)');
    expect(formatTimeRange('2026-11-25T23:59:00.000Z', '2026-11-26T00:01:00.000Z', utc)).toBe('Nov 25, 2026, 11:59:00 PM – Nov 26, 2026, 12:01:00 AM (2 min)');
    expect(formatTimeRange('2026-11-25T10:00:01.000Z', '2026-11-25T10:00:01.000Z', utc)).toBe('Nov 25, 2026, 10:00:01 AM');
    expect(formatTimeRange('soon', '2026-11-25T10:00:01.000Z', utc)).toBe('soon – 2026-11-25T10:00:01.000Z');
  });

  it('name every replay speed with what it does', () => {
    expect(Object.keys(SPEED_LABELS)).toEqual([...REPLAY_SPEEDS]);
    expect(SPEED_LABELS['1x']).toBe('1x (original timing)');
  });

  it('title a session by the client’s own id when it sent one, and say how it was grouped', () => {
    expect(sessionTitle({ id: 'ses_1', client_session_id: 'demo', grouped_by: 'header' })).toBe('Session demo');
    expect(sessionTitle({ id: 'ses_1', client_session_id: null, grouped_by: 'client' })).toBe('Client session');
    expect(sessionTitle({ id: 'ses_1', client_session_id: null, grouped_by: 'import' })).toBe('Imported HAR session');
    expect(groupingText({ grouped_by: 'header' }, 'x-trace')).toBe('Grouped by the x-trace header');
    expect(groupingText({ grouped_by: 'client' }, 'x-trace')).toBe('Grouped by client address and user agent');
  });

  it('measure progress by the requests answered, never past the total', () => {
    expect(replayProgress(summary(4, 1, 1))).toEqual({ done: 2, total: 4, percent: 50 });
    expect(replayProgress(summary(3, 1, 0))).toEqual({ done: 1, total: 3, percent: 33 });
    expect(replayProgress(summary(0, 0, 0))).toEqual({ done: 0, total: 0, percent: 0 });
    expect(replayProgress({ total: 2, sent: 2, passed: 2, failed: 1, pending: 0 }).done).toBe(2);
  });

  it('say where a replay stands in one sentence for each status', () => {
    const of = (status: 'queued' | 'running' | 'completed' | 'failed' | 'canceled', s = summary(40, 10, 2), failure_reason: string | null = null) => replayProgressText({ status, summary: s, failure_reason }, 'en-US');
    expect(of('queued', summary(1, 0, 0))).toBe('Queued: 1 request to send.');
    expect(of('running')).toBe('Running: 12 of 40 requests done (10 passed, 2 failed).');
    expect(of('completed', summary(2, 1, 1))).toBe('Completed: 2 requests, 1 passed, 1 failed.');
    expect(of('canceled')).toBe('Canceled after 12 of 40 requests (10 passed, 2 failed).');
    expect(of('failed', undefined, 'The worker stopped')).toBe('Failed after 12 of 40 requests (10 passed, 2 failed): The worker stopped');
    expect(of('failed')).toBe('Failed after 12 of 40 requests (10 passed, 2 failed).');
  });

  it('show body differences as JSON text, a missing side as absent', () => {
    expect(formatDiffValue(1)).toBe('1');
    expect(formatDiffValue('1')).toBe('"1"');
    expect(formatDiffValue(null)).toBe('null');
    expect(formatDiffValue(undefined)).toBe('(absent)');
    expect(formatDiffValue('<b>x</b>')).toBe('"<b>x</b>"');
  });

  it('show a missing status as a dash, and file sizes', () => {
    expect(formatStatus(null)).toBe('—');
    expect(formatStatus(502)).toBe('502');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(12 * 1024 + 1)).toBe('13 KiB');
    expect(formatBytes(3.5 * 1024 * 1024)).toBe('3.5 MiB');
  });
});
