import { ApiError } from '../api-client.ts';
import { h, replace } from '../dom.ts';
import type { ViewContext } from '../view-context.ts';
import { errorPanel, isAbort } from '../widgets.ts';
import type { FieldError } from './replay-form.ts';
import type { SessionReplayStatus } from './types.ts';

/** A labelled control with its help and its error message, tied by `aria-describedby`. */
export function field(id: string, label: string, control: HTMLElement, help?: string | Node): HTMLElement {
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  control.id = id;
  control.setAttribute('aria-describedby', help ? `${helpId} ${errorId}` : errorId);
  return h(
    'div',
    { class: 'field', 'data-field': id },
    h('label', { for: id }, label),
    control,
    help ? h('p', { id: helpId, class: 'field-help muted' }, help) : null,
    h('p', { id: errorId, class: 'field-error' }),
  );
}

/**
 * Shows each error next to its field (`data-field` of `fieldOf(error.field)`),
 * marks the control invalid, clears the others, and moves focus to the first one.
 */
export function showFieldErrors(scope: HTMLElement, errors: readonly FieldError[], fieldOf: (name: string) => string = (name) => name): void {
  for (const control of scope.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  for (const message of scope.querySelectorAll('.field-error')) message.textContent = '';
  let first: HTMLElement | undefined;
  for (const error of errors) {
    const id = fieldOf(error.field);
    const control = scope.querySelector<HTMLElement>(`#${CSS.escape(id)}`);
    const message = scope.querySelector<HTMLElement>(`#${CSS.escape(`${id}-error`)}`);
    if (message) message.textContent = message.textContent ? `${message.textContent} ${error.message}` : error.message;
    control?.setAttribute('aria-invalid', 'true');
    first ??= control ?? undefined;
  }
  first?.focus();
}

/**
 * Shows a refused call in place (the API's own message, its status and
 * correlation id); a refused key goes back to the key form, a view left
 * behind shows nothing. `focus` moves focus to the message (after a form's submit).
 */
export function showApiError(ctx: Pick<ViewContext, 'unauthorized'>, where: HTMLElement, error: unknown, options: { retry?: () => void; focus?: boolean } = {}): void {
  if (isAbort(error)) return;
  if (error instanceof ApiError && error.status === 401) return ctx.unauthorized();
  const panel = errorPanel(error, options.retry);
  replace(where, panel);
  if (options.focus) {
    panel.tabIndex = -1;
    panel.focus();
  }
}

/** A replay's status as a badge: colour, symbol and text. */
export function replayStatusBadge(status: SessionReplayStatus): HTMLElement {
  return h('span', { class: `badge badge--${status}`, 'data-status': status }, status);
}

/** Pass or fail of one replayed request. */
export function passBadge(passed: boolean): HTMLElement {
  return h('span', { class: `badge ${passed ? 'badge--pass' : 'badge--fail'}`, 'data-result': passed ? 'pass' : 'fail' }, passed ? 'Pass' : 'Fail');
}

/** Whether an endpoint records, as a badge with its text. */
export function recordingBadge(recording: boolean): HTMLElement {
  return h('span', { class: `badge ${recording ? 'badge--recording' : 'badge--off'}`, 'data-recording': String(recording) }, recording ? 'Recording' : 'Not recording');
}

/** A checkbox shown and announced as a switch, inside its label so the whole line toggles it. */
export function switchField(id: string, label: string, checked: boolean, help: string): { field: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { type: 'checkbox', role: 'switch', class: 'switch', id, checked, 'aria-describedby': `${id}-help` });
  return { input, field: h('div', { class: 'field field--switch', 'data-field': id }, h('label', { for: id }, input, ` ${label}`), h('p', { id: `${id}-help`, class: 'field-help muted' }, help)) };
}

/** A table in a scrolling region of its own, so a wide one never widens the page. */
export function scrollingTable(caption: HTMLElement, table: HTMLTableElement): HTMLElement {
  table.prepend(caption);
  return h('div', { class: 'table-scroll', role: 'region', tabindex: '0', 'aria-labelledby': caption.id }, table);
}

/** Waits `ms`, or less when `signal` aborts (then it rejects with the abort). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', stop, { once: true });
  });
}
