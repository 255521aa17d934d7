import { h, replace, uniqueId } from '../dom.ts';
import { formatCount } from '../format.ts';
import type { ViewContext } from '../view-context.ts';
import { localTime } from '../widgets.ts';
import { formatBytes, formatDuration, requestTarget } from './proxy-format.ts';
import type { ProxyApi } from './proxy-api.ts';
import { proxyHref, RECORDINGS_VIEWS, type ProxyQuery, type RecordingsView } from './proxy-query.ts';
import { scrollingTable, showApiError } from './proxy-widgets.ts';
import { showSessionCards } from './session-cards.ts';
import { sessionReplayLimits as L, type ProxyEndpoint, type Recording } from './types.ts';

const VIEW_LABELS: Record<RecordingsView, string> = { flat: 'Flat', sessions: 'By Session' };
export const RECORDINGS_PAGE_SIZE = 50;

/** The Recordings tab: the Flat / By Session toggle, HAR upload, and the recordings in the chosen view. */
export function showRecordingsTab(ctx: ViewContext, api: ProxyApi, body: HTMLElement, endpoint: ProxyEndpoint, query: ProxyQuery): void {
  const content = h('div', { class: 'recordings-content' });
  const refresh = h('button', { type: 'button', class: 'button', id: 'recordings-refresh', onclick: () => draw(true) }, 'Refresh');
  const toggle = h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'Show recordings' },
    ...RECORDINGS_VIEWS.map((view) =>
      h(
        'button',
        {
          type: 'button',
          id: `view-${view}`,
          class: 'segment',
          'aria-pressed': String(view === query.view),
          // A new history entry without drawing the page again, so focus stays on the toggle.
          onclick: () => {
            if (view === query.view) return;
            query = { endpoint: endpoint.id, tab: 'recordings', view };
            history.pushState(null, '', proxyHref(query));
            for (const segment of toggle.querySelectorAll('button')) segment.setAttribute('aria-pressed', String(segment.id === `view-${view}`));
            draw(false);
          },
        },
        VIEW_LABELS[view],
      ),
    ),
  );

  replace(
    body,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'recordings-title' },
      h('div', { class: 'section-header' }, h('h2', { id: 'recordings-title' }, 'Recordings'), h('div', { class: 'section-actions' }, toggle, refresh)),
      endpoint.recording ? null : h('p', { class: 'panel panel--notice' }, 'Recording is off for this endpoint: the proxy forwards requests without keeping them. Turn it on under Settings.'),
      content,
    ),
    harUpload(ctx, api, endpoint),
  );
  draw(false);

  function draw(refreshed: boolean): void {
    if (query.view === 'sessions') showSessionCards(ctx, api, content, endpoint, query, { refreshed });
    else showFlatList(ctx, api, content, endpoint, { refreshed });
  }
}

/** Every recording of the endpoint, newest first, a page at a time with the API's cursors. */
function showFlatList(ctx: ViewContext, api: ProxyApi, content: HTMLElement, endpoint: ProxyEndpoint, options: { refreshed: boolean }): void {
  // cursors[i] is the cursor of page i (null: the first page).
  const cursors: (string | null)[] = [null];
  let page = 0;
  const summary = h('p', { class: 'table-summary', id: 'recordings-summary', 'aria-live': 'polite' }, 'Loading recordings…');
  const problems = h('div', { class: 'problems' });
  const rows = h('tbody');
  const column = (label: string, numeric = false) => h('th', { scope: 'col', class: numeric ? 'num' : undefined }, label);
  const table = scrollingTable(
    h('caption', { id: uniqueId('recordings-caption'), class: 'visually-hidden' }, 'Recordings, newest first'),
    h('table', { class: 'recordings' }, h('thead', {}, h('tr', {}, column('Time'), column('Method'), column('Request'), column('Status', true), column('Duration', true), column('Session'))), rows),
  );
  const newer = h('button', { type: 'button', class: 'button', disabled: true, onclick: () => void turn(-1) }, '← Newer');
  const older = h('button', { type: 'button', class: 'button', disabled: true, onclick: () => void turn(1) }, 'Older →');
  const pageLabel = h('span', { class: 'page-label' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Recording pages' }, newer, pageLabel, older);
  replace(content, summary, problems, table, pager);
  void turn(0);

  async function turn(step: -1 | 0 | 1): Promise<void> {
    const target = page + step;
    if (target < 0 || (step === 1 && !cursors[target])) return;
    const trigger = step === 1 ? older : newer;
    newer.disabled = older.disabled = true;
    table.setAttribute('aria-busy', 'true');
    replace(problems);
    try {
      const result = await api.listRecordings(endpoint.id, RECORDINGS_PAGE_SIZE, cursors[target]);
      page = target;
      cursors[page + 1] = result.next_cursor;
      cursors.length = page + 2;
      replace(rows, ...result.data.map(recordingRow));
      const first = page * RECORDINGS_PAGE_SIZE + 1;
      summary.textContent = result.data.length
        ? `Recordings ${formatCount(first)}–${formatCount(first + result.data.length - 1)}, newest first.`
        : page === 0
          ? 'No recordings yet: send a request to the proxy URL, then press Refresh.'
          : 'No recordings on this page.';
      if (options.refreshed && step === 0) ctx.announce(`Refreshed: ${summary.textContent}`);
      pageLabel.textContent = `Page ${formatCount(page + 1)}`;
      pager.hidden = page === 0 && !result.next_cursor;
      if (step !== 0) (trigger.disabled ? table : trigger).focus();
    } catch (error) {
      showApiError(ctx, problems, error, { retry: () => void turn(step) });
    } finally {
      newer.disabled = page === 0;
      older.disabled = !cursors[page + 1];
      table.removeAttribute('aria-busy');
    }
  }

  function recordingRow(recording: Recording): HTMLTableRowElement {
    return h(
      'tr',
      { 'data-recording': recording.id },
      h('td', {}, localTime(recording.started_at)),
      h('td', {}, h('span', { class: 'method' }, recording.method)),
      h('td', { class: 'request-target' }, h('code', {}, requestTarget(recording.path, recording.query))),
      h('td', { class: 'num' }, statusText(recording)),
      h('td', { class: 'num' }, formatDuration(recording.duration_ms)),
      h('td', {}, h('a', { href: proxyHref({ endpoint: endpoint.id, view: 'sessions', session: recording.session_id }), class: 'mono' }, recording.session_id)),
    );
  }
}

/** The recorded status; the proxy's own 502/504 says why the upstream gave no answer. */
export function statusText(recording: Pick<Recording, 'response_status' | 'upstream_error'>): HTMLElement {
  return h('span', { title: recording.upstream_error ?? undefined }, String(recording.response_status), recording.upstream_error ? h('span', { class: 'muted' }, ' (no upstream answer)') : null);
}

/** HAR upload: a file from dev tools, mitmproxy or Charles becomes one session of this endpoint. */
function harUpload(ctx: ViewContext, api: ProxyApi, endpoint: ProxyEndpoint): HTMLElement {
  const file = h('input', { type: 'file', id: 'har-file', name: 'har', accept: '.har,.json,application/json', 'aria-describedby': 'har-file-help har-file-error' });
  const error = h('p', { id: 'har-file-error', class: 'field-error' });
  const outcome = h('div', { class: 'problems' });
  const submit = h('button', { type: 'submit', class: 'button' }, 'Import HAR');
  const limit = `${L.maxImportBodyBytes / 1024 / 1024} MiB`;
  const form = h(
    'form',
    {
      class: 'panel har-upload',
      'aria-labelledby': 'har-title',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        replace(outcome);
        error.textContent = '';
        file.removeAttribute('aria-invalid');
        const chosen = file.files?.[0];
        const refuse = (message: string) => {
          error.textContent = message;
          file.setAttribute('aria-invalid', 'true');
          file.focus();
        };
        if (!chosen) return refuse('Choose a HAR file first.');
        if (chosen.size > L.maxImportBodyBytes) return refuse(`${chosen.name} is ${formatBytes(chosen.size)}: a HAR import takes up to ${limit}.`);
        submit.disabled = true;
        submit.textContent = 'Importing…';
        try {
          const session = await api.importHar(endpoint.id, await chosen.text());
          form.reset();
          ctx.announce(`Imported ${formatCount(session.request_count)} requests as a new session.`);
          ctx.navigate(proxyHref({ endpoint: endpoint.id, view: 'sessions', session: session.id }), `session-${session.id}`);
        } catch (failure) {
          showApiError(ctx, outcome, failure, { focus: true });
        } finally {
          submit.disabled = false;
          submit.textContent = 'Import HAR';
        }
      },
    },
    h('h2', { id: 'har-title' }, 'Import a HAR file'),
    h('div', { class: 'field' }, h('label', { for: 'har-file' }, 'HAR file'), file, h('p', { id: 'har-file-help', class: 'field-help muted' }, `A HAR 1.2 export (browser dev tools, mitmproxy, Charles) of up to ${limit} and ${formatCount(L.maxImportEntries)} entries becomes one session, redacted like live traffic.`), error),
    outcome,
    h('div', { class: 'form-actions' }, submit),
  );
  return form;
}

