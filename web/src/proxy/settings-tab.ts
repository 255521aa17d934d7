import { h, replace } from '../dom.ts';
import type { ViewContext } from '../view-context.ts';
import type { ProxyApi } from './proxy-api.ts';
import { PROXY_PATH } from './proxy-query.ts';
import { field, showApiError, showFieldErrors, switchField } from './proxy-widgets.ts';
import { checkEndpointForm, type FieldError } from './replay-form.ts';
import { HEADER_NAME, sessionReplayLimits as L, type EndpointChanges, type ProxyEndpoint } from './types.ts';

/** The Settings tab: rename, recording on or off, upstream and grouping; and deleting the endpoint, confirmed by its name. */
export function showSettingsTab(ctx: ViewContext, api: ProxyApi, body: HTMLElement, endpoint: ProxyEndpoint, events: { changed(endpoint: ProxyEndpoint): void }): void {
  replace(body, settingsForm(ctx, api, endpoint, events), deleteForm(ctx, api, endpoint));
}

function settingsForm(ctx: ViewContext, api: ProxyApi, endpoint: ProxyEndpoint, events: { changed(endpoint: ProxyEndpoint): void }): HTMLElement {
  const name = h('input', { type: 'text', maxlength: L.maxEndpointNameChars, autocomplete: 'off', value: endpoint.name });
  const upstream = h('input', { type: 'url', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', value: endpoint.upstream_url });
  const recording = switchField('settings-recording', 'Record traffic', endpoint.recording, 'Off: the proxy still forwards every request, and keeps none.');
  const sessionHeader = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: endpoint.session_header });
  const idle = h('input', { type: 'number', inputmode: 'numeric', min: L.minSessionIdleSeconds, max: L.maxSessionIdleSeconds, step: 1, value: endpoint.session_idle_seconds });
  const redact = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: endpoint.redact_headers.join(', ') });
  const outcome = h('div', { class: 'problems' });
  const notice = (text: string) => replace(outcome, h('p', { class: 'panel panel--notice', role: 'status' }, text));
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Save changes');

  const form: HTMLFormElement = h(
    'form',
    {
      class: 'panel endpoint-form',
      'aria-labelledby': 'settings-title',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        replace(outcome);
        const read = readChanges();
        if (!read.ok) return showFieldErrors(form, read.errors, (f) => `settings-${f}`);
        showFieldErrors(form, []);
        if (!Object.keys(read.changes).length) return notice('Nothing changed.');
        submit.disabled = true;
        submit.textContent = 'Saving…';
        try {
          const saved = await api.updateEndpoint(endpoint.id, read.changes);
          endpoint = saved;
          events.changed(saved);
          notice('Saved.');
        } catch (error) {
          showApiError(ctx, outcome, error, { focus: true });
        } finally {
          submit.disabled = false;
          submit.textContent = 'Save changes';
        }
      },
    },
    h('h2', { id: 'settings-title' }, 'Settings'),
    h(
      'div',
      { class: 'form-grid' },
      field('settings-name', 'Name', name),
      field('settings-upstream_url', 'Upstream URL', upstream, 'Takes effect on the next proxied request.'),
      recording.field,
      field('settings-session_header', 'Session header', sessionHeader, 'Requests that carry it join the session of its value.'),
      field('settings-session_idle_seconds', 'Idle gap (seconds)', idle, 'Without the session header: a pause this long from one client starts a new session.'),
      field('settings-redact_headers', 'More headers to redact', redact, 'Comma-separated; authorization, cookie, set-cookie, proxy-authorization and x-api-key are always redacted.'),
    ),
    outcome,
    h('div', { class: 'form-actions' }, submit),
  );
  return form;

  /** What differs from the endpoint as loaded, checked; only those fields are sent. */
  function readChanges(): { ok: true; changes: EndpointChanges } | { ok: false; errors: FieldError[] } {
    const checked = checkEndpointForm({ name: name.value, upstream_url: upstream.value, recording: recording.input.checked });
    const errors: FieldError[] = checked.ok ? [] : [...checked.errors];
    const header = sessionHeader.value.trim().toLowerCase();
    if (!HEADER_NAME.test(header)) errors.push({ field: 'session_header', message: 'Enter a header name, such as x-session-id.' });
    const seconds = Number(idle.value);
    if (!Number.isInteger(seconds) || seconds < L.minSessionIdleSeconds || seconds > L.maxSessionIdleSeconds) {
      errors.push({ field: 'session_idle_seconds', message: `Enter whole seconds from ${L.minSessionIdleSeconds} to ${L.maxSessionIdleSeconds.toLocaleString('en-US')}.` });
    }
    const names = redact.value
      .split(',')
      .map((n) => n.trim().toLowerCase())
      .filter(Boolean);
    const badName = names.find((n) => !HEADER_NAME.test(n));
    if (badName) errors.push({ field: 'redact_headers', message: `“${badName}” is not a header name.` });
    else if (names.length > L.maxRedactHeaders) errors.push({ field: 'redact_headers', message: `At most ${L.maxRedactHeaders} names.` });
    if (!checked.ok || errors.length) return { ok: false, errors };
    const changes: EndpointChanges = {};
    if (checked.value.name !== endpoint.name) changes.name = checked.value.name;
    if (checked.value.upstream_url !== endpoint.upstream_url) changes.upstream_url = checked.value.upstream_url;
    if (checked.value.recording !== endpoint.recording) changes.recording = checked.value.recording;
    if (header !== endpoint.session_header) changes.session_header = header;
    if (seconds !== endpoint.session_idle_seconds) changes.session_idle_seconds = seconds;
    if (names.join(',') !== endpoint.redact_headers.join(',')) changes.redact_headers = names;
    return { ok: true, changes };
  }
}

function deleteForm(ctx: ViewContext, api: ProxyApi, endpoint: ProxyEndpoint): HTMLElement {
  const confirm = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const failure = h('div', { class: 'problems' });
  const submit = h('button', { type: 'submit', class: 'button button--danger' }, 'Delete endpoint');
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'panel panel--danger',
      'aria-labelledby': 'delete-title',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        replace(failure);
        // The API checks the name itself and says so when it differs: only an empty field is caught here.
        if (!confirm.value) return showFieldErrors(form, [{ field: 'delete-confirm', message: 'Type the endpoint’s name to confirm.' }]);
        showFieldErrors(form, []);
        submit.disabled = true;
        try {
          await api.deleteEndpoint(endpoint.id, confirm.value);
          ctx.announce(`Endpoint ${endpoint.name} was deleted.`);
          ctx.navigate(PROXY_PATH);
        } catch (error) {
          showApiError(ctx, failure, error, { focus: true });
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h2', { id: 'delete-title' }, 'Delete this endpoint'),
    h(
      'p',
      {},
      'Its proxy URL stops answering at once; its sessions, recordings and replays are deleted for good. To confirm, type its name: ',
      h('strong', { class: 'confirm-name' }, endpoint.name),
    ),
    field('delete-confirm', 'Endpoint name', confirm),
    failure,
    h('div', { class: 'form-actions' }, submit),
  );
  return form;
}
