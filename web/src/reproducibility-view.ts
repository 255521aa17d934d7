import { ApiError } from './api-client.ts';
import { comparableText, sideBySide } from './diff-view.ts';
import { h, replace } from './dom.ts';
import { formatCount, plural } from './format.ts';
import { reproducibilityHref, type ReproducibilityQuery } from './routes.ts';
import { reproducibilityLimits as L, type Agent, type Attempt, type AttemptOutput, type ListPage, type Run, type SessionDetail, type SessionSummary } from './reproducibility-types.ts';
import type { ViewContext } from './view-context.ts';
import { errorPanel, isAbort, localTime, pageHeading } from './widgets.ts';

const ENDED = new Set(['completed', 'failed', 'canceled']);
const POLL_MS = 500;

/**
 * The Reproducibility page: find a session (search, select, "Test
 * Reproducibility"), see its replay payload, set the agent's Target URL
 * (replay_url), run it N times and read the verdict, the attempts as they
 * fill in, and an attempt's answer side by side with attempt 1's.
 */
export function showReproducibility(ctx: ViewContext, query: ReproducibilityQuery): void {
  ctx.title('Reproducibility');
  const picker = h('section', { class: 'panel', 'aria-labelledby': 'sessions-title' });
  const detail = h('div', {});
  replace(
    ctx.main,
    h('div', { class: 'page-header' }, h('div', {}, pageHeading('Reproducibility'), h('p', { class: 'header-count' }, 'Call an agent’s replay endpoint N times with a recorded session: is it deterministic, and where does it diverge?'))),
    picker,
    detail,
  );
  renderPicker(ctx, picker, query);
  if (query.sessionId) void renderSession(ctx, detail, query);
}

function renderPicker(ctx: ViewContext, panel: HTMLElement, query: ReproducibilityQuery): void {
  const search = h('input', { id: 'session-search', type: 'search', maxlength: 200, placeholder: 'words of the user input or model', autocomplete: 'off' });
  const replayableOnly = h('input', { id: 'replayable-only', type: 'checkbox' });
  const results = h('div', { class: 'session-results' }, h('p', { class: 'muted' }, 'Loading sessions…'));
  const load = async () => {
    const params = new URLSearchParams({ limit: '20' });
    if (search.value.trim()) params.set('q', search.value.trim());
    if (replayableOnly.checked) params.set('replayable', 'true');
    try {
      const page = await ctx.api.get<ListPage<SessionSummary>>(`/api/v1/sessions?${params}`);
      replace(results, sessionTable(page.items, query));
      ctx.announce(`${plural(page.items.length, 'session')} found.`);
    } catch (error) {
      if (isAbort(error)) return;
      if (error instanceof ApiError && error.status === 401) return ctx.unauthorized();
      replace(results, errorPanel(error, () => void load()));
    }
  };
  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void load();
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'session-search' }, 'Search sessions'), search),
    h('div', { class: 'field field--inline' }, replayableOnly, h('label', { for: 'replayable-only' }, 'Replayable only')),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'button' }, 'Search')),
  );
  replace(panel, h('h2', { id: 'sessions-title' }, 'Sessions'), form, results);
  void load();
}

function sessionTable(sessions: SessionSummary[], query: ReproducibilityQuery): HTMLElement {
  if (sessions.length === 0) return h('p', { class: 'muted' }, 'No session matches. Record one with POST /api/v1/sessions or an OpenTelemetry exporter (POST /v1/traces).');
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'sessions' },
      h('caption', { class: 'visually-hidden' }, 'Sessions, newest first'),
      h('thead', {}, h('tr', {}, ...['Session', 'Agent', 'Started', 'Model', 'Events', 'Replayable', ''].map((label) => h('th', { scope: 'col' }, label)))),
      h(
        'tbody',
        {},
        ...sessions.map((session) =>
          h(
            'tr',
            { 'aria-current': session.id === query.sessionId ? 'true' : undefined },
            h('th', { scope: 'row', class: 'mono' }, session.id),
            h('td', {}, session.agent_id),
            h('td', {}, localTime(session.started_at)),
            h('td', {}, session.model ?? '–'),
            h('td', { class: 'num' }, formatCount(session.event_count)),
            h('td', {}, session.replayable ? 'yes' : `no (${session.not_replayable_reason})`),
            h(
              'td',
              {},
              h(
                'a',
                { class: 'button', href: reproducibilityHref({ sessionId: session.id, agentId: session.agent_id }), 'aria-label': `Test Reproducibility of session ${session.id}` },
                'Test Reproducibility',
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

async function renderSession(ctx: ViewContext, container: HTMLElement, query: ReproducibilityQuery): Promise<void> {
  replace(container, h('p', { class: 'muted' }, 'Loading the session…'));
  let session: SessionDetail;
  let agent: Agent;
  try {
    session = await ctx.api.get<SessionDetail>(`/api/v1/sessions/${encodeURIComponent(query.sessionId!)}`);
    agent = await ctx.api.get<Agent>(`/api/v1/agents/${encodeURIComponent(query.agentId ?? session.agent_id)}`);
  } catch (error) {
    if (isAbort(error)) return;
    if (error instanceof ApiError && error.status === 401) return ctx.unauthorized();
    const notFound = error instanceof ApiError && error.status === 404;
    replace(container, notFound ? h('div', { class: 'panel panel--error', role: 'alert' }, h('p', {}, `Session ${query.sessionId} is not replayable: logs not found for this project.`)) : errorPanel(error));
    return;
  }

  const urlField = h('input', { id: 'target-url', type: 'url', maxlength: L.maxReplayUrlChars, value: agent.replay_url ?? '', placeholder: 'https://your-agent.example.com/replay', autocomplete: 'off', 'aria-describedby': 'target-url-help' });
  const saveNote = h('p', { class: 'muted', id: 'target-url-help', role: 'status' }, agent.replay_url ? `Saved for agent ${agent.agent_id}.` : `Not saved for agent ${agent.agent_id} yet.`);
  const runsField = h('input', { id: 'n-runs', type: 'number', min: L.minRuns, max: L.maxRuns, value: L.defaultRuns, required: true });
  const warning = h('p', { class: 'panel panel--notice', id: 'run-warning', role: 'alert' });
  const runButton = h('button', { type: 'submit', class: 'button button--primary', id: 'run-button' }, 'Run');
  const results = h('section', { 'aria-labelledby': 'results-title' });

  const refreshRunState = () => {
    const problems = [
      session.replayable ? undefined : `This session is not replayable (${session.not_replayable_reason}): it has no LLM request and no user input to replay.`,
      urlField.value.trim() ? undefined : 'Set the Target URL (replay_url): Run stays disabled until there is one.',
    ].filter(Boolean);
    warning.hidden = problems.length === 0;
    replace(warning, problems.join(' '));
    runButton.disabled = problems.length > 0;
  };
  urlField.addEventListener('input', refreshRunState);

  const save = async () => {
    urlField.removeAttribute('aria-invalid');
    try {
      const value = urlField.value.trim();
      const saved = value
        ? await ctx.api.send<Agent>('PUT', `/api/v1/agents/${encodeURIComponent(agent.agent_id)}/replay-url`, { replay_url: value })
        : await ctx.api.send<Agent>('DELETE', `/api/v1/agents/${encodeURIComponent(agent.agent_id)}/replay-url`);
      agent = saved;
      replace(saveNote, saved.replay_url ? `Saved for agent ${saved.agent_id}.` : `Cleared for agent ${saved.agent_id}.`);
      ctx.announce(saveNote.textContent ?? '');
    } catch (error) {
      if (isAbort(error)) return;
      urlField.setAttribute('aria-invalid', 'true');
      replace(saveNote, error instanceof ApiError ? error.message : 'Could not save the URL.');
    }
  };

  const start = async () => {
    const n = Number(runsField.value);
    if (!Number.isInteger(n) || n < L.minRuns || n > L.maxRuns) {
      runsField.setAttribute('aria-invalid', 'true');
      return;
    }
    runsField.removeAttribute('aria-invalid');
    runButton.disabled = true;
    try {
      const run = await ctx.api.send<Run>('POST', '/api/v1/reproducibility/runs', { session_id: session.id, agent_id: agent.agent_id, target_url: urlField.value.trim(), n });
      history.replaceState(null, '', reproducibilityHref({ sessionId: session.id, agentId: agent.agent_id, runId: run.id }));
      void follow(ctx, results, run.id);
    } catch (error) {
      if (isAbort(error)) return;
      replace(results, errorPanel(error));
    } finally {
      refreshRunState();
    }
  };

  const payloadKind = session.replay_payload ? ('messages' in session.replay_payload ? 'LLM path' : 'User path') : undefined;
  replace(
    container,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'session-title' },
      h('h2', { id: 'session-title' }, 'Session ', h('span', { class: 'mono' }, session.id)),
      h(
        'dl',
        { class: 'facts' },
        ...fact('Agent', agent.agent_id),
        ...fact('Started', localTime(session.started_at)),
        ...fact('Model', session.model ?? '–'),
        ...fact('Events', formatCount(session.event_count)),
        ...fact('Replayable', session.replayable ? 'yes' : `no (${session.not_replayable_reason})`),
      ),
      h('h3', {}, payloadKind ? `Replay payload (${payloadKind})` : 'Replay payload'),
      session.replay_payload ? h('pre', { class: 'payload', id: 'payload-preview', tabindex: 0 }, JSON.stringify(session.replay_payload, null, 2)) : h('p', { class: 'muted' }, 'None: nothing in this session can be replayed.'),
    ),
    h(
      'form',
      {
        class: 'panel run-form',
        'aria-labelledby': 'run-title',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void start();
        },
      },
      h('h2', { id: 'run-title' }, 'Run reproducibility'),
      h(
        'div',
        { class: 'filters' },
        h('div', { class: 'field field--wide' }, h('label', { for: 'target-url' }, 'Target URL (replay_url)'), urlField),
        h('div', { class: 'filter-actions' }, h('button', { type: 'button', class: 'button', onclick: () => void save() }, 'Save')),
      ),
      saveNote,
      warning,
      h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'n-runs' }, `N runs (${L.minRuns}–${L.maxRuns})`), runsField), h('div', { class: 'filter-actions' }, runButton)),
    ),
    results,
  );
  refreshRunState();
  if (query.runId) void follow(ctx, results, query.runId);
}

/** Draws a run and reads it again until it has ended, so attempts fill in live. */
async function follow(ctx: ViewContext, container: HTMLElement, runId: string): Promise<void> {
  let shownDiff: number | undefined;
  const diffPanel = h('div', {});
  for (;;) {
    let run: Run;
    try {
      run = await ctx.api.get<Run>(`/api/v1/reproducibility/runs/${encodeURIComponent(runId)}`);
    } catch (error) {
      if (isAbort(error)) return;
      replace(container, errorPanel(error));
      return;
    }
    const ended = ENDED.has(run.status);
    replace(container, runSummary(run), attemptsTable(run), ended ? diffChooser(ctx, run, diffPanel, (index) => (shownDiff = index), shownDiff) : null, diffPanel);
    if (ended) {
      ctx.announce(`The run ${run.status}${run.verdict ? `: ${run.verdict}` : ''}.`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (ctx.signal.aborted) return;
  }
}

function runSummary(run: Run): HTMLElement {
  const verdict = run.verdict ?? (ENDED.has(run.status) ? run.status : 'running');
  return h(
    'div',
    { class: 'panel', id: 'run-summary' },
    h('h2', { id: 'results-title' }, 'Results'),
    h('p', {}, h('strong', {}, 'Verdict: '), h('span', { class: `badge badge--${badgeOf(verdict)}`, 'data-verdict': verdict, id: 'verdict' }, verdict)),
    h(
      'p',
      { class: 'muted' },
      `${run.counts.passed} passed, ${run.counts.failed} failed, ${run.counts.errored} errors, ${run.counts.pending + run.counts.running + run.counts.answered} pending of ${run.n} · run `,
      h('span', { class: 'mono' }, run.id),
    ),
    run.divergent_paths.length ? h('p', {}, h('strong', {}, 'Divergent paths: '), run.divergent_paths.map((p) => `${p.path} (${p.attempts} ${p.attempts === 1 ? 'attempt' : 'attempts'})`).join(', ')) : null,
    run.noise_paths.length ? h('p', { class: 'muted' }, 'Noise, not counted: ', run.noise_paths.map((p) => `${p.path} (${p.reason})`).join(', ')) : null,
    run.failure_reason ? h('p', { role: 'alert' }, run.failure_reason) : null,
  );
}

function attemptsTable(run: Run): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'attempts' },
      h('caption', {}, 'Attempts'),
      h('thead', {}, h('tr', {}, ...['Attempt', 'Result', 'Status', 'Latency', 'Divergence'].map((label) => h('th', { scope: 'col' }, label)))),
      h(
        'tbody',
        {},
        ...run.attempts.map((attempt: Attempt) =>
          h(
            'tr',
            { 'data-attempt': attempt.index },
            h('th', { scope: 'row', class: 'num' }, String(attempt.index)),
            h('td', {}, h('span', { class: `badge badge--${badgeOf(attempt.status)}`, 'data-result': attempt.status }, attempt.status)),
            h('td', { class: 'num' }, attempt.http_status === null ? '–' : String(attempt.http_status)),
            h('td', { class: 'num' }, attempt.latency_ms === null ? '–' : `${formatCount(attempt.latency_ms)} ms`),
            h('td', { class: 'divergence' }, attempt.error ?? (attempt.diverging_paths.length ? attempt.diverging_paths.join(', ') : attempt.status === 'pass' ? 'none' : '–')),
          ),
        ),
      ),
    ),
  );
}

function diffChooser(ctx: ViewContext, run: Run, panel: HTMLElement, chosen: (index: number) => void, current?: number): HTMLElement | null {
  const others = run.attempts.filter((a) => a.index !== 1 && a.status !== 'pending');
  if (others.length === 0) return null;
  const initial = current ?? others.find((a) => a.status === 'fail')?.index ?? others[0]!.index;
  const select = h('select', { id: 'diff-attempt' }, ...others.map((a) => h('option', { value: a.index, selected: a.index === initial }, `Attempt ${a.index} (${a.status})`)));
  const show = async () => {
    const index = Number(select.value);
    chosen(index);
    try {
      const [first, other] = await Promise.all([1, index].map((i) => ctx.api.get<AttemptOutput>(`/api/v1/reproducibility/runs/${encodeURIComponent(run.id)}/attempts/${i}`)));
      replace(panel, sideBySide({ label: 'Attempt 1', text: comparableText(first!.output) }, { label: `Attempt ${index}`, text: comparableText(other!.output) }));
    } catch (error) {
      if (!isAbort(error)) replace(panel, errorPanel(error));
    }
  };
  select.addEventListener('change', () => void show());
  void show();
  return h('div', { class: 'filters' }, h('div', { class: 'field field--inline' }, h('label', { for: 'diff-attempt' }, 'Compare with attempt 1'), select));
}

function fact(label: string, value: Node | string): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function badgeOf(status: string): 'success' | 'partial' | 'failed' {
  if (status === 'pass' || status === 'deterministic' || status === 'answered' || status === 'completed') return 'success';
  if (status === 'fail' || status === 'nondeterministic' || status === 'error' || status === 'failed') return 'failed';
  return 'partial';
}
