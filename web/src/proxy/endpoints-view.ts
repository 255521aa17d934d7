import { h, replace, uniqueId } from '../dom.ts';
import { plural } from '../format.ts';
import type { ViewContext } from '../view-context.ts';
import { localTime, pageHeading } from '../widgets.ts';
import type { ProxyApi } from './proxy-api.ts';
import { proxyHref } from './proxy-query.ts';
import { field, recordingBadge, scrollingTable, showApiError, showFieldErrors, switchField } from './proxy-widgets.ts';
import { checkEndpointForm } from './replay-form.ts';
import { sessionReplayLimits as L, type ProxyEndpoint } from './types.ts';

/** The project's proxy endpoints (a project has at most 100: one page holds them all) and the form that creates one. */
export function showEndpoints(ctx: ViewContext, api: ProxyApi): void {
  ctx.title('Proxy endpoints');
  const count = h('p', { class: 'header-count', id: 'endpoint-count' }, 'Loading…');
  const problems = h('div', { class: 'problems' });
  const list = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading endpoints…'));

  replace(
    ctx.main,
    h('div', { class: 'page-header' }, h('div', {}, pageHeading('Proxy endpoints'), count)),
    h(
      'p',
      { class: 'lede' },
      'A proxy endpoint forwards each request it gets to its upstream URL and answers with the upstream’s answer. With recording on, it keeps every exchange, grouped into sessions you can replay against any target.',
    ),
    problems,
    createForm(ctx, api),
    h('section', { class: 'panel', 'aria-labelledby': 'endpoints-title' }, h('h2', { id: 'endpoints-title' }, 'Endpoints'), list),
  );
  void load();

  async function load(): Promise<void> {
    try {
      const page = await api.listEndpoints(L.maxEndpointsPerProject);
      count.textContent = plural(page.data.length, 'endpoint');
      replace(list, page.data.length ? endpointsTable(page.data) : h('p', { class: 'muted', id: 'no-endpoints' }, 'No proxy endpoints yet. Create one above, then send your client’s traffic to its proxy URL.'));
    } catch (error) {
      count.textContent = '';
      replace(list);
      showApiError(ctx, problems, error, { retry: () => void load() });
    } finally {
      list.removeAttribute('aria-busy');
    }
  }
}

function createForm(ctx: ViewContext, api: ProxyApi): HTMLElement {
  const name = h('input', { type: 'text', name: 'name', maxlength: L.maxEndpointNameChars, autocomplete: 'off', required: true });
  const upstream = h('input', { type: 'url', name: 'upstream_url', inputmode: 'url', placeholder: 'https://api.example.com', autocomplete: 'off', spellcheck: 'false', required: true });
  const recording = switchField('endpoint-recording', 'Record traffic', true, 'Keep every exchange, grouped into sessions.');
  const failure = h('div', { class: 'problems' });
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Create endpoint');
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'panel endpoint-form',
      'aria-labelledby': 'create-title',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        replace(failure);
        const checked = checkEndpointForm({ name: name.value, upstream_url: upstream.value, recording: recording.input.checked });
        if (!checked.ok) return showFieldErrors(form, checked.errors, (field) => `endpoint-${field}`);
        showFieldErrors(form, []);
        submit.disabled = true;
        submit.textContent = 'Creating…';
        try {
          const created = await api.createEndpoint(checked.value);
          ctx.announce(`Endpoint ${created.name} created.`);
          ctx.navigate(proxyHref({ endpoint: created.id }));
        } catch (error) {
          showApiError(ctx, failure, error, { focus: true });
        } finally {
          submit.disabled = false;
          submit.textContent = 'Create endpoint';
        }
      },
    },
    h('h2', { id: 'create-title' }, 'New endpoint'),
    h(
      'div',
      { class: 'form-grid' },
      field('endpoint-name', 'Name', name),
      field('endpoint-upstream_url', 'Upstream URL', upstream, 'Where requests go: each keeps the path after the proxy URL, its query, headers and body.'),
      recording.field,
    ),
    failure,
    h('div', { class: 'form-actions' }, submit),
  );
  return form;
}

function endpointsTable(endpoints: ProxyEndpoint[]): HTMLElement {
  const column = (label: string) => h('th', { scope: 'col' }, label);
  return scrollingTable(
    h('caption', { id: uniqueId('endpoints-caption'), class: 'visually-hidden' }, 'Proxy endpoints, newest first'),
    h(
      'table',
      { class: 'endpoints' },
      h('thead', {}, h('tr', {}, column('Name'), column('Recording'), column('Upstream URL'), column('Proxy URL'), column('Created'))),
      h(
        'tbody',
        {},
        ...endpoints.map((endpoint) =>
          h(
            'tr',
            { 'data-endpoint': endpoint.id },
            h('th', { scope: 'row' }, h('a', { href: proxyHref({ endpoint: endpoint.id }) }, endpoint.name)),
            h('td', {}, recordingBadge(endpoint.recording)),
            h('td', { class: 'url' }, endpoint.upstream_url),
            h('td', { class: 'url' }, h('code', {}, endpoint.proxy_url)),
            h('td', {}, localTime(endpoint.created_at)),
          ),
        ),
      ),
    ),
  );
}
