import { h, replace, uniqueId } from '../dom.ts';
import { formatCount, plural } from '../format.ts';
import type { ViewContext } from '../view-context.ts';
import { isAbort } from '../widgets.ts';
import type { ProxyApi } from './proxy-api.ts';
import { formatTimeRange, replayProgress, replayProgressText, sessionTitle, SPEED_LABELS } from './proxy-format.ts';
import { field, pause, replayStatusBadge, showApiError, showFieldErrors } from './proxy-widgets.ts';
import { checkReplayForm, headerField, newReplayForm, replayFormOf, type HeaderRow, type ReplayForm } from './replay-form.ts';
import { resultsTable } from './replay-results.ts';
import { ENDED_STATUSES, REPLAY_SPEEDS, sessionReplayLimits as L, type ProxyEndpoint, type ProxySession, type ReplayWithResults } from './types.ts';

/** How often a running replay is read again (its summary is written every second). */
const POLL_MS = 1_000;
/** Results read per call; a longer replay offers the rest after it ends. */
const RESULTS_PAGE_SIZE = 200;

export interface ReplayDialogOptions {
  ctx: ViewContext;
  api: ProxyApi;
  endpoint: ProxyEndpoint;
  session: ProxySession;
  /** Where focus returns when the dialog closes (else `fallbackFocus`, when the opener is gone). */
  opener: HTMLElement;
  fallbackFocus?: HTMLElement | undefined;
  /** Open on this replay's results instead of a new replay's settings. */
  replayId?: string | undefined;
  /** The dialog shows this replay's results (the URL may name it), or none (settings, or closed). */
  showing(replayId: string | undefined): void;
  /** A replay was started or has moved on: the session's list of replays may be out of date. */
  changed(): void;
}

/**
 * The replay dialog, modal: the settings (Target URL, Replay Speed, Header
 * Overrides, optional body comparison) → Start Replay → progress that fills in
 * while the replay runs → the summary and the per-request results → Run Again
 * (the settings again, prefilled) or Close. Escape closes it; focus moves into
 * it on open and back to the opener on close.
 */
export function openReplayDialog(options: ReplayDialogOptions): void {
  const { ctx, api, endpoint, session } = options;
  const titleId = uniqueId('replay-dialog-title');
  const dialog = h('dialog', { class: 'dialog replay-dialog', 'aria-labelledby': titleId });
  /** Aborted when the dialog closes or the page moves on: polling stops. */
  const open = new AbortController();
  const stopWithView = () => dialog.close();
  ctx.signal.addEventListener('abort', stopWithView, { once: true });
  /** The settings last sent from this dialog, secrets included (the API never shows those again). */
  let lastSent: ReplayForm | undefined;

  dialog.addEventListener('close', () => {
    open.abort();
    ctx.signal.removeEventListener('abort', stopWithView);
    dialog.remove();
    // Closed because the page moved on: the URL and the focus are the next view's.
    if (ctx.signal.aborted) return;
    options.showing(undefined);
    (options.opener.isConnected ? options.opener : options.fallbackFocus)?.focus();
  });

  ctx.main.append(dialog);
  dialog.showModal();
  if (options.replayId) void showResults(options.replayId);
  else showSettings(newReplayForm());

  function header(title: string): HTMLElement {
    return h(
      'div',
      { class: 'dialog-header' },
      h('div', {}, h('h2', { id: titleId, tabindex: '-1' }, title), h('p', { class: 'muted' }, `${sessionTitle(session)} · ${plural(session.request_count, 'request')} · ${formatTimeRange(session.first_at, session.last_at)}`)),
      h('button', { type: 'button', class: 'button button--quiet dialog-close', 'aria-label': 'Close dialog', onclick: () => dialog.close() }, '✕'),
    );
  }

  /** The settings form, filled from `form`; its first field takes focus. */
  function showSettings(form: ReplayForm): void {
    options.showing(undefined);
    const rows: HeaderRow[] = form.headers.map((row) => ({ ...row }));
    const target = h('input', { type: 'url', inputmode: 'url', autocomplete: 'url', spellcheck: 'false', placeholder: 'https://staging.example.com', value: form.target_url });
    const speeds = h(
      'fieldset',
      { class: 'choices', id: 'replay-speed', 'aria-describedby': 'replay-speed-error' },
      h('legend', {}, 'Replay Speed'),
      ...REPLAY_SPEEDS.map((speed) =>
        h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'speed', value: speed, checked: speed === form.speed, 'data-speed': speed }), ` ${SPEED_LABELS[speed]}`),
      ),
      h('p', { id: 'replay-speed-error', class: 'field-error' }),
    );
    const headerList = h('ol', { class: 'header-rows', 'aria-label': 'Header overrides' });
    const addHeader = h(
      'button',
      {
        type: 'button',
        class: 'button',
        onclick: () => {
          if (rows.length >= L.maxHeaderOverrides) return;
          rows.push({ name: '', value: '' });
          drawRows();
          headerList.querySelector<HTMLInputElement>(`#${headerField(rows.length - 1, 'name')}`)?.focus();
        },
      },
      'Add header',
    );
    const compare = h('input', { type: 'checkbox', id: 'replay-compare', checked: form.compare_bodies, 'aria-describedby': 'replay-compare-help' });
    const ignore = h('textarea', { rows: 3, spellcheck: 'false', placeholder: '$.id\n$.items[*].updated_at' }, form.ignore_paths);
    const ignoreField = field('replay-ignore_paths', 'Ignore paths (one JSON path a line)', ignore, 'Left out of both bodies before they are compared: ids, timestamps and other values that differ on every call.');
    ignoreField.hidden = !form.compare_bodies;
    compare.addEventListener('change', () => (ignoreField.hidden = !compare.checked));
    const failure = h('div', { class: 'problems' });
    const start = h('button', { type: 'submit', class: 'button button--primary' }, 'Start Replay');

    const formElement: HTMLFormElement = h(
      'form',
      {
        class: 'replay-form',
        novalidate: true,
        onsubmit: async (event: Event) => {
          event.preventDefault();
          replace(failure);
          const current = read();
          const checked = checkReplayForm(current);
          if (!checked.ok) return showFieldErrors(formElement, checked.errors, (name) => (name.startsWith('header-') ? name : `replay-${name}`));
          showFieldErrors(formElement, []);
          start.disabled = true;
          start.textContent = 'Starting…';
          try {
            const replay = await api.startReplay(endpoint.id, session.id, checked.value);
            lastSent = current;
            options.changed();
            ctx.announce('The replay has started.');
            void showResults(replay.id, true);
          } catch (error) {
            showApiError(ctx, failure, error, { focus: true });
          } finally {
            start.disabled = false;
            start.textContent = 'Start Replay';
          }
        },
      },
      field('replay-target_url', 'Target URL', target, 'Each recorded path and query is appended to it, such as https://staging.example.com.'),
      speeds,
      h(
        'fieldset',
        { class: 'header-overrides', id: 'replay-headers', 'aria-describedby': 'replay-headers-help replay-headers-error' },
        h('legend', {}, 'Header Overrides'),
        h('p', { id: 'replay-headers-help', class: 'field-help muted' }, 'Added to every request, or replacing the recorded header of the same name (any case): for example a fresh Authorization token, since recorded secrets were redacted.'),
        headerList,
        h('p', { id: 'replay-headers-error', class: 'field-error' }),
        addHeader,
      ),
      h(
        'div',
        { class: 'field field--check' },
        h('label', { for: 'replay-compare' }, compare, ' Also compare response bodies'),
        h('p', { id: 'replay-compare-help', class: 'field-help muted' }, 'A request then passes only when its body matches the recorded one too (as JSON when both are); the differences are listed.'),
      ),
      ignoreField,
      failure,
      h('div', { class: 'dialog-actions' }, start, h('button', { type: 'button', class: 'button button--quiet', onclick: () => dialog.close() }, 'Cancel')),
    );
    replace(dialog, header('Replay session'), formElement);
    drawRows();
    target.focus();

    function drawRows(): void {
      replace(
        headerList,
        ...rows.map((row, index) => {
          const name = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'Authorization', value: row.name, oninput: () => (row.name = name.value) });
          const value = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: row.secret ? 'Not kept: enter it again' : 'Bearer …', value: row.value, oninput: () => (row.value = value.value) });
          const remove = h(
            'button',
            {
              type: 'button',
              class: 'button button--quiet',
              'aria-label': `Remove header row ${index + 1}`,
              onclick: () => {
                rows.splice(index, 1);
                drawRows();
                (headerList.querySelector<HTMLInputElement>(`#${headerField(Math.min(index, rows.length - 1), 'name')}`) ?? addHeader).focus();
              },
            },
            'Remove',
          );
          return h('li', { class: 'header-row', 'data-row': index }, field(headerField(index, 'name'), `Header ${index + 1} name`, name), field(headerField(index, 'value'), `Header ${index + 1} value`, value), remove);
        }),
      );
      addHeader.disabled = rows.length >= L.maxHeaderOverrides;
    }

    function read(): ReplayForm {
      const speed = formElement.querySelector<HTMLInputElement>('input[name="speed"]:checked')?.value;
      return { target_url: target.value, speed: speed as ReplayForm['speed'], headers: rows.map((row) => ({ ...row })), compare_bodies: compare.checked, ignore_paths: ignore.value };
    }
  }

  /**
   * Progress, then the summary and the results of one replay, read again
   * until it ends. The session's list of replays is told when one this
   * dialog started, or watched running, has ended.
   */
  async function showResults(replayId: string, startedHere = false): Promise<void> {
    options.showing(replayId);
    const live = h('p', { class: 'replay-live', role: 'status', 'aria-atomic': 'true', id: 'replay-progress-text' }, 'Loading the replay…');
    const progress = h('progress', { max: 1, value: 0, 'aria-labelledby': 'replay-progress-text', class: 'replay-progress' });
    const tiles = {
      total: h('dd', { 'data-tile': 'total' }, '–'),
      passed: h('dd', { 'data-tile': 'passed' }, '–'),
      failed: h('dd', { 'data-tile': 'failed' }, '–'),
      status: h('dd', { 'data-tile': 'status' }, '–'),
    };
    const tile = (label: string, value: HTMLElement) => h('div', { class: 'tile' }, h('dt', {}, label), value);
    const settings = h('p', { class: 'muted replay-settings' });
    const problems = h('div', { class: 'problems' });
    const results = h('div', { class: 'replay-results' });
    const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Load more results');
    const cancel = h('button', { type: 'button', class: 'button button--danger', hidden: true }, 'Cancel replay');
    const again = h('button', { type: 'button', class: 'button button--primary', hidden: true }, 'Run Again');
    const close = h('button', { type: 'button', class: 'button', onclick: () => dialog.close() }, 'Close');
    replace(
      dialog,
      header('Replay results'),
      live,
      progress,
      h('dl', { class: 'tiles tiles--replay' }, tile('Total', tiles.total), tile('Passed', tiles.passed), tile('Failed', tiles.failed), tile('Status', tiles.status)),
      settings,
      problems,
      results,
      more,
      h('div', { class: 'dialog-actions' }, again, cancel, close),
    );
    dialog.querySelector<HTMLElement>(`#${titleId}`)?.focus();

    let latest: ReplayWithResults | undefined;
    let lastStatus: ReplayWithResults['status'] | undefined;
    let drawnResults = -1;
    let sawRunning = false;
    cancel.addEventListener('click', async () => {
      cancel.disabled = true;
      try {
        await api.cancelReplay(endpoint.id, session.id, replayId);
        ctx.announce('The replay was canceled.');
      } catch (error) {
        showApiError(ctx, problems, error);
      } finally {
        cancel.disabled = false;
      }
    });
    again.addEventListener('click', () => showSettings(lastSent ?? (latest ? replayFormOf(latest) : newReplayForm())));

    // Read until it ends; the table fills in as results arrive.
    try {
      for (;;) {
        latest = await api.getReplay(endpoint.id, session.id, replayId, RESULTS_PAGE_SIZE);
        if (open.signal.aborted) return;
        draw(latest);
        if (ENDED_STATUSES.includes(latest.status)) break;
        await pause(POLL_MS, open.signal);
      }
    } catch (error) {
      if (open.signal.aborted || isAbort(error)) return;
      showApiError(ctx, problems, error, { retry: () => void showResults(replayId, startedHere) });
      again.hidden = false;
      return;
    }
    if (startedHere || sawRunning) options.changed();
    let cursor = latest.next_cursor;
    more.hidden = !cursor;
    more.addEventListener('click', async () => {
      more.disabled = true;
      try {
        const page = await api.getReplay(endpoint.id, session.id, replayId, RESULTS_PAGE_SIZE, cursor);
        results.querySelector('tbody')?.append(...resultsTable(page, page.results).querySelectorAll('tbody > tr'));
        cursor = page.next_cursor;
        more.hidden = !cursor;
      } catch (error) {
        showApiError(ctx, problems, error);
      } finally {
        more.disabled = false;
      }
    });

    function draw(replay: ReplayWithResults): void {
      const { done, total } = replayProgress(replay.summary);
      const ended = ENDED_STATUSES.includes(replay.status);
      // The live region speaks when the status changes, and while running as counts move.
      const text = replayProgressText(replay);
      if (live.textContent !== text) live.textContent = text;
      progress.max = Math.max(1, total);
      progress.value = done;
      tiles.total.textContent = formatCount(replay.summary.total);
      tiles.passed.textContent = formatCount(replay.summary.passed);
      tiles.failed.textContent = formatCount(replay.summary.failed);
      replace(tiles.status, replayStatusBadge(replay.status));
      replace(settings, describeSettings(replay));
      // Results are final once written: draw again only when more have come, so focus and scroll in the table stay.
      if (replay.results.length !== drawnResults || !results.firstChild) replace(results, resultsTable(replay, replay.results));
      drawnResults = replay.results.length;
      cancel.hidden = ended;
      again.hidden = !ended;
      sawRunning ||= !ended;
      // Ended while the reader watched: the next step is theirs.
      if (ended && lastStatus !== undefined && !ENDED_STATUSES.includes(lastStatus)) again.focus();
      lastStatus = replay.status;
    }
  }
}

function describeSettings(replay: ReplayWithResults): string {
  const overrides = Object.keys(replay.header_overrides);
  return [
    `Target ${replay.target_url}`,
    `speed ${replay.speed}`,
    overrides.length ? `${plural(overrides.length, 'header override')} (${overrides.join(', ')})` : 'no header overrides',
    replay.compare === 'status_and_body' ? `statuses and bodies compared${replay.ignore_paths.length ? `, ignoring ${replay.ignore_paths.join(', ')}` : ''}` : 'statuses compared',
  ].join(' · ');
}
