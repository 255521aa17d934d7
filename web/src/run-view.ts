import { ApiError } from './api-client.ts';
import { h, replace, uniqueId } from './dom.ts';
import { formatCount, formatJsonValue, formatUsd, plural } from './format.ts';
import { NO_DEPLOYMENT, type DivergenceDetail, type RunHistoryPage, type Submission } from './types.ts';
import type { ViewContext } from './view-context.ts';
import { errorPanel, isAbort, localTime, pageHeading, statusBadge } from './widgets.ts';

/** One run's page: every submission, newest first, with the per-action divergence details the SDK sent. */
export function showRun(ctx: ViewContext, runId: string): void {
  ctx.title(`Run ${runId}`);
  let cursor: string | null = null;

  const summary = h('p', { class: 'header-count', id: 'run-summary', 'aria-live': 'polite' }, 'Loading submissions…');
  const problems = h('div', { class: 'problems' });
  const list = h('ol', { class: 'submission-list', 'aria-label': `Submissions of run ${runId}` });
  const more = h('button', { type: 'button', class: 'button', hidden: true, onclick: () => void load() }, 'Load older submissions');
  const content = h('div', {}, list, more);

  replace(
    ctx.main,
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: '/replay' }, '← Replay Hub')),
    h('div', { class: 'page-header' }, h('div', {}, pageHeading('Run ', h('code', { class: 'run-id' }, runId)), summary)),
    problems,
    content,
  );
  void load();

  async function load(): Promise<void> {
    more.disabled = true;
    replace(problems);
    try {
      const page: RunHistoryPage = await ctx.api.runHistory(runId, cursor);
      const firstNew = list.children.length;
      list.append(...page.items.map(card));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      summary.textContent = `${plural(page.total, 'submission')}, newest first${cursor ? ` (${formatCount(list.children.length)} shown)` : ''}.`;
      if (firstNew > 0) list.children[firstNew]?.querySelector<HTMLElement>('h2')?.focus();
    } catch (error) {
      if (isAbort(error)) return;
      if (error instanceof ApiError && error.status === 401) return ctx.unauthorized();
      if (error instanceof ApiError && error.status === 404) {
        summary.textContent = 'No submissions.';
        replace(
          content,
          h(
            'div',
            { class: 'panel panel--notice', role: 'status' },
            h('h2', {}, 'Run not found'),
            h('p', {}, 'No replay results were submitted for run ', h('code', {}, runId), ' in your org.'),
            h('p', {}, h('a', { href: '/replay' }, 'Back to all submissions')),
          ),
        );
        return;
      }
      replace(problems, errorPanel(error, () => void load()));
    } finally {
      more.disabled = false;
    }
  }
}

function card(submission: Submission): HTMLLIElement {
  const headingId = uniqueId('submission');
  return h(
    'li',
    {},
    h(
      'article',
      { class: 'panel submission', 'aria-labelledby': headingId, 'data-submission': submission.id },
      h('h2', { id: headingId, tabindex: '-1' }, statusBadge(submission.status), ' Submitted ', localTime(submission.submitted_at)),
      h('p', { class: 'muted mono' }, `Submission ${submission.id}`),
      h(
        'dl',
        { class: 'facts' },
        fact('Replayed / Total', `${formatCount(submission.actions_replayed)} / ${formatCount(submission.actions_total)}`),
        fact('Divergences', formatCount(submission.divergences)),
        fact('Saved (USD)', formatUsd(submission.cost_savings)),
        fact('Deployment', submission.deployment ?? NO_DEPLOYMENT),
        fact('SDK version', submission.sdk_version ?? '—'),
        submission.started_at ? fact('Started', localTime(submission.started_at)) : null,
        submission.finished_at ? fact('Finished', localTime(submission.finished_at)) : null,
      ),
      details(submission),
    ),
  );
}

function fact(label: string, value: string | Node): HTMLElement {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

function details(submission: Submission): HTMLElement {
  const entries = submission.divergence_details ?? [];
  if (entries.length === 0) {
    return h('p', { class: 'muted' }, submission.divergences > 0 ? 'The SDK reported divergences but sent no per-action details.' : 'No divergences.');
  }
  const captionId = uniqueId('details-caption');
  return h(
    'div',
    { class: 'table-scroll', role: 'region', tabindex: '0', 'aria-labelledby': captionId },
    h(
      'table',
      { class: 'details' },
      h('caption', { id: captionId }, `Divergence details (${formatCount(entries.length)})`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Action'), h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Recorded'), h('th', { scope: 'col' }, 'Replayed'))),
      h('tbody', {}, ...entries.map(detailRow)),
    ),
  );
}

function detailRow(detail: DivergenceDetail): HTMLTableRowElement {
  const value = (v: unknown) => h('td', {}, h('pre', { class: 'value' }, h('code', {}, formatJsonValue(v))));
  return h('tr', { 'data-action': detail.action_id }, h('th', { scope: 'row' }, h('code', {}, detail.action_id)), h('td', {}, detail.field), value(detail.recorded), value(detail.replayed));
}
