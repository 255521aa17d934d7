import { h, uniqueId } from '../dom.ts';
import { formatCount } from '../format.ts';
import { formatDiffValue, formatStatus } from './proxy-format.ts';
import { passBadge, scrollingTable } from './proxy-widgets.ts';
import type { ReplayResult, SessionReplay } from './types.ts';

const COLUMNS = ['Result', '#', 'Method', 'Path', 'Expected', 'Actual', 'Time (ms)', 'Error'] as const;
const NUMERIC = new Set<string>(['#', 'Expected', 'Actual', 'Time (ms)']);

/**
 * One row per replayed request, in request order: pass or fail, method, path,
 * the recorded (expected) and the replayed (actual) status, the response time
 * and the error; with bodies compared, a failed body's differences under its row.
 */
export function resultsTable(replay: Pick<SessionReplay, 'compare' | 'summary'>, results: readonly ReplayResult[]): HTMLElement {
  if (!results.length) return h('p', { class: 'muted' }, replay.summary.total ? 'No request has been answered yet.' : 'This replay has no requests.');
  return scrollingTable(
    h('caption', { id: uniqueId('results-caption') }, `Results, in request order (${formatCount(results.length)} of ${formatCount(replay.summary.total)})`),
    h(
      'table',
      { class: 'results' },
      h('thead', {}, h('tr', {}, ...COLUMNS.map((label) => h('th', { scope: 'col', class: NUMERIC.has(label) ? 'num' : undefined }, label)))),
      h('tbody', {}, ...results.flatMap((result) => resultRows(result))),
    ),
  );
}

function resultRows(result: ReplayResult): HTMLTableRowElement[] {
  const changed = result.actual_status !== null && result.actual_status !== result.expected_status;
  const row = h(
    'tr',
    { 'data-result-index': result.index, class: result.passed ? undefined : 'failed-row' },
    h('td', {}, passBadge(result.passed)),
    h('td', { class: 'num' }, formatCount(result.index + 1)),
    h('td', {}, h('span', { class: 'method' }, result.method)),
    h('th', { scope: 'row', class: 'request-target' }, h('code', {}, result.path)),
    h('td', { class: 'num', 'data-cell': 'expected' }, String(result.expected_status)),
    h('td', { class: changed ? 'num status-changed' : 'num', 'data-cell': 'actual' }, formatStatus(result.actual_status)),
    h('td', { class: 'num' }, result.response_time_ms === null ? '—' : formatCount(result.response_time_ms)),
    h('td', { class: 'error-cell' }, result.error ?? ''),
  );
  if (!result.body_diff?.length) return [row];
  const captionId = uniqueId('diff-caption');
  const diff = h(
    'tr',
    { class: 'diff-row', 'data-diff-of': result.index },
    h(
      'td',
      { colspan: COLUMNS.length },
      h(
        'details',
        { open: true },
        h('summary', {}, `Body differences of request ${formatCount(result.index + 1)} (${formatCount(result.body_diff.length)})`),
        h(
          'table',
          { class: 'body-diff', 'aria-labelledby': captionId },
          h('caption', { id: captionId, class: 'visually-hidden' }, `Body differences of request ${formatCount(result.index + 1)}`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'JSON path'), h('th', { scope: 'col' }, 'Recorded'), h('th', { scope: 'col' }, 'Replayed'))),
          h(
            'tbody',
            {},
            ...result.body_diff.map((difference) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, h('code', {}, difference.path)),
                h('td', {}, h('pre', { class: 'value' }, h('code', {}, formatDiffValue(difference.expected)))),
                h('td', {}, h('pre', { class: 'value' }, h('code', {}, formatDiffValue(difference.actual)))),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  return [row, diff];
}
