import { ApiError, type HistoryRequest } from './api-client.ts';
import { chartModel, type ChartModel } from './chart-model.ts';
import { renderChart } from './chart-view.ts';
import { h, replace, uniqueId } from './dom.ts';
import { firstResultCurl } from './first-result.ts';
import { formatCount, formatUsd, plural } from './format.ts';
import { CHART_DAYS, hubHref, PAGE_SIZES, runHref, type HubQuery } from './routes.ts';
import { KINDS, ledgerLimits, NO_DEPLOYMENT, STATUSES, type DailyStats, type HistoryPage, type LedgerKind, type Stats, type Submission } from './types.ts';
import type { ViewContext } from './view-context.ts';
import { copyButton, errorPanel, isAbort, localTime, pageHeading, statusBadge } from './widgets.ts';

/**
 * The Replay Hub: totals, the divergences chart and the submissions table,
 * newest first, paged with the API's cursors and filtered by status and deployment.
 */
export function showHub(ctx: ViewContext, query: HubQuery): void {
  ctx.title('Replay Hub');
  const filtered = Boolean(query.kind || query.status || query.deployment);
  // cursors[i] is the cursor of page i (null: the first page).
  const cursors: (string | null)[] = [null];
  let page = 0;
  let lastPage: HistoryPage | undefined;
  let drawn: { model: ChartModel; width: number } | undefined;

  const count = h('p', { class: 'header-count', id: 'submission-count' }, 'Loading…');
  const refresh = h('button', { type: 'button', class: 'button', onclick: () => void loadAll(true) }, 'Refresh');
  const problems = h('div', { class: 'problems' });

  const tileValues = {
    submissions: h('dd', { 'data-tile': 'submissions' }, '–'),
    actions: h('dd', { 'data-tile': 'actions-replayed' }, '–'),
    divergences: h('dd', { 'data-tile': 'divergences' }, '–'),
    saved: h('dd', { 'data-tile': 'cost-saved' }, '–'),
  };
  const tile = (label: string, value: HTMLElement) => h('div', { class: 'tile' }, h('dt', {}, label), value);
  const tiles = h(
    'section',
    { 'aria-labelledby': 'totals-title' },
    h('h2', { id: 'totals-title', class: 'visually-hidden' }, 'Totals'),
    h('dl', { class: 'tiles' }, tile('Submissions', tileValues.submissions), tile('Actions Replayed', tileValues.actions), tile('Divergences', tileValues.divergences), tile('Cost Saved', tileValues.saved)),
  );

  // The chart
  const chartBody = h('div', { class: 'chart-body' }, h('p', { class: 'muted' }, 'Loading the chart…'));
  const daysSelect = h(
    'select',
    {
      id: 'chart-days',
      onchange: () => {
        query.days = Number(daysSelect.value);
        history.replaceState(null, '', hubHref(query));
        void loadChart();
      },
    },
    ...CHART_DAYS.map((days) => h('option', { value: days, selected: days === query.days }, `Last ${days} days`)),
  );
  const chart = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'chart-title' },
    h('div', { class: 'section-header' }, h('h2', { id: 'chart-title' }, 'Divergences per day'), h('div', { class: 'field field--inline' }, h('label', { for: 'chart-days' }, 'Window'), daysSelect)),
    h('p', { class: 'muted section-note' }, `Per UTC day, stacked by deployment, over ${query.kind ? `${KIND_LABELS[query.kind]} submissions` : 'all submissions'}.`),
    chartBody,
  );

  // The filters and the table
  const deployments = h('datalist', { id: 'deployment-options' });
  const kindSelect = h(
    'select',
    { id: 'filter-kind', name: 'kind' },
    h('option', { value: '' }, 'All kinds'),
    ...KINDS.map((kind) => h('option', { value: kind, selected: kind === query.kind }, KIND_LABELS[kind])),
  );
  const statusSelect = h(
    'select',
    { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'All statuses'),
    ...STATUSES.map((status) => h('option', { value: status, selected: status === query.status }, status)),
  );
  const deploymentInput = h('input', { id: 'filter-deployment', name: 'deployment', type: 'text', list: 'deployment-options', value: query.deployment ?? '', maxlength: ledgerLimits.maxTextChars, autocomplete: 'off', 'aria-describedby': 'filter-deployment-help' });
  const sizeSelect = h('select', { id: 'page-size', name: 'limit' }, ...PAGE_SIZES.map((size) => h('option', { value: size, selected: size === query.limit }, String(size))));
  const filters = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Filter submissions',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const next = { ...query, kind: (kindSelect.value || undefined) as HubQuery['kind'], status: (statusSelect.value || undefined) as HubQuery['status'], deployment: deploymentInput.value.trim() || undefined, limit: Number(sizeSelect.value) };
        ctx.navigate(hubHref(next), 'filter-apply');
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'filter-kind' }, 'Kind'), kindSelect),
    h('div', { class: 'field' }, h('label', { for: 'filter-status' }, 'Status'), statusSelect),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'filter-deployment' }, 'Deployment'),
      deploymentInput,
      h('span', { id: 'filter-deployment-help', class: 'visually-hidden' }, `Exact name; ${NO_DEPLOYMENT} for submissions sent without one.`),
      deployments,
    ),
    h('div', { class: 'field' }, h('label', { for: 'page-size' }, 'Rows per page'), sizeSelect),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', id: 'filter-apply', class: 'button button--primary' }, 'Apply'), filtered ? h('a', { class: 'button button--quiet', href: hubHref({ limit: query.limit, days: query.days }) }, 'Clear filters') : null),
  );

  const captionId = uniqueId('submissions-caption');
  const summary = h('p', { class: 'table-summary', id: 'table-summary', 'aria-live': 'polite' }, 'Loading submissions…');
  const rows = h('tbody');
  const column = (label: string, numeric = false) => h('th', { scope: 'col', class: numeric ? 'num' : undefined }, label);
  const table = h(
    'div',
    { class: 'table-scroll', role: 'region', tabindex: '0', 'aria-labelledby': captionId },
    h(
      'table',
      { class: 'submissions' },
      h('caption', { id: captionId, class: 'visually-hidden' }, filtered ? `Submissions${describeFilter(query)}, newest first` : 'Submissions, newest first'),
      h('thead', {}, h('tr', {}, column('Run ID'), column('Kind'), column('Status'), column('Replayed / Total', true), column('Divergences', true), column('Saved (USD)', true), column('Submitted'), column('Deployment'))),
      rows,
    ),
  );
  const newer = h('button', { type: 'button', class: 'button', disabled: true, onclick: () => void turnPage(-1) }, '← Newer');
  const older = h('button', { type: 'button', class: 'button', disabled: true, onclick: () => void turnPage(1) }, 'Older →');
  const pageLabel = h('span', { class: 'page-label', id: 'page-label' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Submission pages' }, newer, pageLabel, older);
  const submissions = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'submissions-title' },
    h('h2', { id: 'submissions-title' }, 'Submissions'),
    filters,
    summary,
    table,
    pager,
  );
  const body = h('div', { class: 'hub-body' }, chart, submissions);

  replace(
    ctx.main,
    h('div', { class: 'page-header' }, h('div', {}, pageHeading('Replay Hub'), count), refresh),
    problems,
    tiles,
    body,
  );

  // Redrawn at the new width (its text keeps its size) when the layout changes by more than a little.
  const resized = new ResizeObserver(() => {
    if (drawn && Math.abs(chartBody.clientWidth - drawn.width) > 24) drawChart(drawn.model);
  });
  resized.observe(chartBody);
  ctx.signal.addEventListener('abort', () => resized.disconnect());
  void loadAll(false);

  async function loadAll(refreshed: boolean): Promise<void> {
    refresh.disabled = true;
    refresh.textContent = 'Refreshing…';
    replace(problems);
    try {
      const [stats, daily, history] = await Promise.all([ctx.api.stats(), ctx.api.daily(query.days, query.kind), ctx.api.history(historyRequest())]);
      showStats(stats);
      if (stats.submissions === 0 && !filtered) {
        replace(body, emptyState(ctx));
      } else {
        if (!body.contains(chart)) replace(body, chart, submissions);
        showChart(daily);
        showPage(history);
      }
      if (refreshed) ctx.announce(`Refreshed: ${plural(stats.submissions, 'submission')} in total.`);
    } catch (error) {
      fail(error, () => void loadAll(refreshed));
    } finally {
      refresh.disabled = false;
      refresh.textContent = 'Refresh';
    }
  }

  async function loadChart(): Promise<void> {
    chartBody.setAttribute('aria-busy', 'true');
    try {
      showChart(await ctx.api.daily(query.days, query.kind));
    } catch (error) {
      fail(error, () => void loadChart());
    } finally {
      chartBody.removeAttribute('aria-busy');
    }
  }

  async function turnPage(step: 1 | -1): Promise<void> {
    const target = page + step;
    if (target < 0 || (step === 1 && !cursors[target])) return;
    const trigger = step === 1 ? older : newer;
    summary.textContent = 'Loading submissions…';
    table.setAttribute('aria-busy', 'true');
    newer.disabled = older.disabled = true;
    try {
      const result = await ctx.api.history(historyRequest(target));
      page = target;
      showPage(result);
      (trigger.disabled ? table : trigger).focus();
    } catch (error) {
      fail(error, () => void turnPage(step));
      showPageControls();
    } finally {
      table.removeAttribute('aria-busy');
    }
  }

  function historyRequest(at = page): HistoryRequest {
    return { limit: query.limit, kind: query.kind, status: query.status, deployment: query.deployment, cursor: cursors[at] };
  }

  function showStats(stats: Stats): void {
    count.textContent = plural(stats.submissions, 'submission');
    tileValues.submissions.textContent = formatCount(stats.submissions);
    tileValues.actions.textContent = formatCount(stats.actions_replayed);
    tileValues.divergences.textContent = formatCount(stats.divergences);
    tileValues.saved.textContent = formatUsd(stats.cost_saved);
  }

  function showChart(daily: DailyStats): void {
    const known = new Set(daily.items.map((item) => item.deployment));
    replace(deployments, ...[...known].sort().map((name) => h('option', { value: name })));
    drawn = undefined;
    if (!daily.items.length) return replace(chartBody, h('p', { class: 'muted' }, `No submissions in the last ${daily.days} days.`));
    drawChart(chartModel(daily));
  }

  function drawChart(model: ChartModel): void {
    const width = chartBody.clientWidth;
    drawn = { model, width };
    replace(chartBody, renderChart(model, width));
  }


  function showPage(result: HistoryPage): void {
    lastPage = result;
    cursors[page + 1] = result.next_cursor;
    cursors.length = page + 2;
    replace(rows, ...result.items.map(row));
    const first = page * query.limit + 1;
    summary.textContent = result.items.length
      ? `Showing ${formatCount(first)}–${formatCount(first + result.items.length - 1)} of ${plural(result.total, 'submission')}${describeFilter(query)}.`
      : filtered
        ? `No submissions${describeFilter(query)}.`
        : 'No submissions on this page.';
    showPageControls();
  }

  function showPageControls(): void {
    const total = lastPage?.total ?? 0;
    newer.disabled = page === 0;
    older.disabled = !cursors[page + 1];
    pageLabel.textContent = `Page ${formatCount(page + 1)} of ${formatCount(Math.max(1, Math.ceil(total / query.limit)))}`;
    pager.hidden = total <= query.limit && page === 0;
  }

  function fail(error: unknown, retry: () => void): void {
    if (isAbort(error)) return;
    if (error instanceof ApiError && error.status === 401) return ctx.unauthorized();
    replace(problems, errorPanel(error, retry));
  }
}

/** How each kind of submission is named on the page. */
const KIND_LABELS: Record<LedgerKind, string> = {
  sdk: 'SDK',
  reproducibility: 'Reproducibility',
  session_replay: 'Session replay',
  replay_run: 'Replay run',
  detached_replay: 'Detached replay',
};

function row(submission: Submission): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-submission': submission.id },
    h('th', { scope: 'row' }, h('a', { href: runHref(submission.run_id) }, submission.run_id)),
    h('td', { 'data-kind': submission.kind }, KIND_LABELS[submission.kind] ?? submission.kind),
    h('td', {}, statusBadge(submission.status)),
    h('td', { class: 'num' }, `${formatCount(submission.actions_replayed)} / ${formatCount(submission.actions_total)}`),
    h('td', { class: 'num' }, formatCount(submission.divergences)),
    h('td', { class: 'num' }, formatUsd(submission.cost_savings)),
    h('td', {}, localTime(submission.submitted_at)),
    h('td', {}, submission.deployment ?? h('span', { class: 'muted' }, NO_DEPLOYMENT)),
  );
}

function describeFilter(query: HubQuery): string {
  const parts = [query.kind ? `kind ${KIND_LABELS[query.kind]}` : '', query.status ? `status ${query.status}` : '', query.deployment ? `deployment ${query.deployment}` : ''].filter(Boolean);
  return parts.length ? ` with ${parts.join(' and ')}` : '';
}

function emptyState(ctx: ViewContext): HTMLElement {
  const command = firstResultCurl(location.origin);
  const code = h('pre', { class: 'command', tabindex: '0', 'aria-label': 'curl command' }, h('code', {}, command));
  const copy = copyButton(ctx, () => command, code, 'Copy command', 'The command was copied.');
  return h(
    'section',
    { class: 'panel empty-state', 'aria-labelledby': 'empty-title' },
    h('h2', { id: 'empty-title' }, 'No replay results yet'),
    h('p', {}, 'After a local replay, the Reprise SDK posts its summary to this org’s ledger, and it shows up here. To see how, post a first result with your API key in ', h('code', {}, 'REPRISE_API_KEY'), ':'),
    code,
    h('p', { class: 'empty-actions' }, copy, ' Then press Refresh.'),
  );
}
