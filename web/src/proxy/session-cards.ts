import { h, replace, uniqueId } from '../dom.ts';
import { formatCount, plural } from '../format.ts';
import type { ViewContext } from '../view-context.ts';
import { localTime } from '../widgets.ts';
import { formatDuration, formatOffset, formatTimeRange, groupingText, requestTarget, sessionTitle } from './proxy-format.ts';
import type { ProxyApi } from './proxy-api.ts';
import { proxyHref, type ProxyQuery } from './proxy-query.ts';
import { replayStatusBadge, scrollingTable, showApiError } from './proxy-widgets.ts';
import { statusText } from './recordings-tab.ts';
import { openReplayDialog } from './replay-dialog.ts';
import type { ProxyEndpoint, ProxySession, Recording, SessionReplay } from './types.ts';

const SESSIONS_PAGE_SIZE = 50;
/** Recordings shown per page of an expanded card (the API serves up to 200). */
const SESSION_RECORDINGS_PAGE_SIZE = 100;
const PAST_REPLAYS_SHOWN = 20;

/**
 * By Session: a card per session, newest first, with its request count and
 * time range; a card expands to its recordings in arrival order and the
 * session's past replays, and its Replay button opens the replay dialog.
 * The expanded session and an open replay live in the query string.
 */
export function showSessionCards(ctx: ViewContext, api: ProxyApi, content: HTMLElement, endpoint: ProxyEndpoint, query: ProxyQuery, options: { refreshed: boolean }): void {
  const summary = h('p', { class: 'table-summary', id: 'sessions-summary', 'aria-live': 'polite' }, 'Loading sessions…');
  const problems = h('div', { class: 'problems' });
  const list = h('ul', { class: 'session-list', 'aria-labelledby': 'recordings-title' });
  const more = h('button', { type: 'button', class: 'button', hidden: true, onclick: () => void load() }, 'Load more sessions');
  let cursor: string | null = null;
  let shown = 0;
  replace(content, summary, problems, list, more);
  void load();

  /** Keeps the expanded session and the open replay in the URL, without a history entry of their own. */
  const remember = (session: string | undefined, replay?: string) => {
    query.session = session;
    query.replay = session ? replay : undefined;
    history.replaceState(null, '', proxyHref(query));
  };

  async function load(): Promise<void> {
    more.disabled = true;
    replace(problems);
    try {
      const page = await api.listSessions(endpoint.id, SESSIONS_PAGE_SIZE, cursor);
      cursor = page.next_cursor;
      more.hidden = !cursor;
      const firstNew = shown;
      for (const session of page.data) list.append(sessionCard(session));
      shown += page.data.length;
      summary.textContent = shown ? `${plural(shown, 'session')}${cursor ? ' so far' : ''}, newest first.` : 'No sessions yet: send requests to the proxy URL (or import a HAR file), then press Refresh.';
      if (options.refreshed && firstNew === 0) ctx.announce(`Refreshed: ${summary.textContent}`);
      if (firstNew > 0) list.children[firstNew]?.querySelector<HTMLElement>('h3')?.focus();
    } catch (error) {
      showApiError(ctx, problems, error, { retry: () => void load() });
    } finally {
      more.disabled = false;
    }
  }

  function sessionCard(session: ProxySession): HTMLLIElement {
    const titleId = `session-${session.id}`;
    const regionId = uniqueId('session-body');
    const expanded = h('div', { id: regionId, class: 'session-body', hidden: true });
    const toggle = h('button', { type: 'button', class: 'button button--quiet', 'aria-expanded': 'false', 'aria-controls': regionId, onclick: () => setExpanded(toggle.getAttribute('aria-expanded') !== 'true') }, 'Show recordings');
    const replayButton = h('button', { type: 'button', class: 'button button--primary', 'aria-describedby': titleId, onclick: () => openDialog() }, 'Replay');
    const pastReplays = h('div', { class: 'past-replays' });
    let loaded = false;

    const card = h(
      'li',
      { class: 'session-card', 'data-session': session.id },
      h(
        'article',
        { 'aria-labelledby': titleId },
        h(
          'div',
          { class: 'session-head' },
          h('div', {}, h('h3', { id: titleId, tabindex: '-1' }, sessionTitle(session)), h('p', { class: 'muted session-grouping' }, groupingText(session, endpoint.session_header))),
          h('div', { class: 'session-actions' }, toggle, replayButton),
        ),
        h(
          'dl',
          { class: 'facts session-facts' },
          h('div', {}, h('dt', {}, 'Requests'), h('dd', { 'data-fact': 'requests' }, formatCount(session.request_count))),
          h('div', {}, h('dt', {}, 'Time range'), h('dd', { 'data-fact': 'time-range' }, formatTimeRange(session.first_at, session.last_at))),
          h('div', {}, h('dt', {}, 'Session id'), h('dd', { class: 'mono' }, session.id)),
        ),
        expanded,
      ),
    );
    if (query.session === session.id) {
      setExpanded(true);
      // The URL named this session: show it, and take focus unless the reader has moved on.
      queueMicrotask(() => {
        card.scrollIntoView({ block: 'start' });
        if (!document.activeElement || document.activeElement === document.body || document.activeElement.tagName === 'H1') card.querySelector('h3')?.focus();
        if (query.replay) openDialog(query.replay);
      });
    }
    return card;

    function setExpanded(open: boolean): void {
      expanded.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? 'Hide recordings' : 'Show recordings';
      if (open && query.session !== session.id) remember(session.id);
      if (!open && query.session === session.id) remember(undefined);
      if (open && !loaded) {
        loaded = true;
        replace(expanded, sessionRecordings(ctx, api, endpoint, session), pastReplays);
        void loadReplays();
      }
    }

    /** The dialog on this session: a new replay from the Replay button, or the results of one (`replayId`). */
    function openDialog(replayId?: string, opener: HTMLElement = replayButton): void {
      openReplayDialog({ ctx, api, endpoint, session, opener, fallbackFocus: replayButton, ...(replayId ? { replayId } : {}), showing, changed: () => void loadReplays() });
    }

    /** The URL follows the dialog: a replay's results name it (and the session, expanded); otherwise only an expanded card stays. */
    function showing(replayId: string | undefined): void {
      if (replayId) setExpanded(true);
      remember(expanded.hidden ? undefined : session.id, replayId);
    }

    async function loadReplays(): Promise<void> {
      if (!loaded) return;
      try {
        const page = await api.listReplays(endpoint.id, session.id, PAST_REPLAYS_SHOWN);
        replace(pastReplays, pastReplaysTable(session, page.data, (replay, opener) => openDialog(replay.id, opener)));
      } catch (error) {
        showApiError(ctx, pastReplays, error, { retry: () => void loadReplays() });
      }
    }
  }
}

/** A session's recordings in arrival order, with each one's offset from the first. */
function sessionRecordings(ctx: ViewContext, api: ProxyApi, endpoint: ProxyEndpoint, session: ProxySession): HTMLElement {
  const rows = h('tbody');
  const problems = h('div', { class: 'problems' });
  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, 'Loading recordings…');
  const more = h('button', { type: 'button', class: 'button', hidden: true, onclick: () => void load() }, 'Load more recordings');
  const column = (label: string, numeric = false) => h('th', { scope: 'col', class: numeric ? 'num' : undefined }, label);
  const captionId = uniqueId('session-recordings');
  const table = scrollingTable(
    h('caption', { id: captionId }, `Recordings of ${sessionTitle(session)}, in arrival order`),
    h('table', { class: 'recordings session-recordings' }, h('thead', {}, h('tr', {}, column('#', true), column('Offset', true), column('Method'), column('Request'), column('Status', true), column('Duration', true))), rows),
  );
  const firstAt = Date.parse(session.first_at);
  let cursor: string | null = null;
  let count = 0;
  void load();
  return h('div', { class: 'session-recordings-block' }, problems, table, status, more);

  async function load(): Promise<void> {
    more.disabled = true;
    try {
      const page = await api.getSession(endpoint.id, session.id, SESSION_RECORDINGS_PAGE_SIZE, cursor);
      for (const recording of page.recordings) rows.append(row(recording, ++count));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      status.textContent = cursor ? `${formatCount(count)} of ${plural(page.request_count, 'recording')} shown.` : '';
    } catch (error) {
      status.textContent = '';
      showApiError(ctx, problems, error, { retry: () => void load() });
    } finally {
      more.disabled = false;
    }
  }

  function row(recording: Recording, position: number): HTMLTableRowElement {
    return h(
      'tr',
      { 'data-recording': recording.id },
      h('td', { class: 'num' }, formatCount(position)),
      h('td', { class: 'num' }, formatOffset(Date.parse(recording.started_at) - firstAt)),
      h('td', {}, h('span', { class: 'method' }, recording.method)),
      h('td', { class: 'request-target' }, h('code', {}, requestTarget(recording.path, recording.query))),
      h('td', { class: 'num' }, statusText(recording)),
      h('td', { class: 'num' }, formatDuration(recording.duration_ms)),
    );
  }
}

/** The session's replays, newest first, each opening its results. */
function pastReplaysTable(session: ProxySession, replays: SessionReplay[], open: (replay: SessionReplay, opener: HTMLElement) => void): HTMLElement {
  const heading = h('h4', {}, 'Replays of this session');
  if (!replays.length) return h('div', {}, heading, h('p', { class: 'muted' }, 'Not replayed yet.'));
  const column = (label: string, numeric = false) => h('th', { scope: 'col', class: numeric ? 'num' : undefined }, label);
  return h(
    'div',
    {},
    heading,
    scrollingTable(
      h('caption', { id: uniqueId('past-replays'), class: 'visually-hidden' }, `Replays of ${sessionTitle(session)}, newest first`),
      h(
        'table',
        { class: 'past-replays-table' },
        h('thead', {}, h('tr', {}, column('Started'), column('Status'), column('Target'), column('Speed'), column('Passed', true), column('Failed', true), column('Total', true), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Results')))),
        h(
          'tbody',
          {},
          ...replays.map((replay) => {
            const view = h('button', { type: 'button', class: 'button button--quiet', 'aria-label': `Results of the replay ${replay.id}`, onclick: () => open(replay, view) }, 'Results');
            return h(
              'tr',
              { 'data-replay': replay.id },
              h('td', {}, localTime(replay.created_at)),
              h('td', {}, replayStatusBadge(replay.status)),
              h('td', { class: 'url' }, replay.target_url),
              h('td', {}, replay.speed),
              h('td', { class: 'num' }, formatCount(replay.summary.passed)),
              h('td', { class: 'num' }, formatCount(replay.summary.failed)),
              h('td', { class: 'num' }, formatCount(replay.summary.total)),
              h('td', {}, view),
            );
          }),
        ),
      ),
    ),
  );
}
