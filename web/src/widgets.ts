import { ApiError } from './api-client.ts';
import { h } from './dom.ts';
import { formatLocalTime } from './format.ts';
import type { ReplayStatus } from './types.ts';

/** A status badge: colour and text, so it never depends on colour alone. */
export function statusBadge(status: ReplayStatus): HTMLElement {
  return h('span', { class: `badge badge--${status}`, 'data-status': status }, status);
}

/** A local wall-clock time, with the exact ISO timestamp on hover and in `datetime`. */
export function localTime(iso: string): HTMLElement {
  return h('time', { datetime: iso, title: iso }, formatLocalTime(iso));
}

/** A level-1 heading the view moves focus to after client-side navigation. */
export function pageHeading(...children: (Node | string)[]): HTMLHeadingElement {
  return h('h1', { tabindex: '-1' }, ...children);
}

/** An error panel (announced) with an optional retry. */
export function errorPanel(error: unknown, retry?: () => void): HTMLElement {
  const apiError = error instanceof ApiError ? error : undefined;
  const message = apiError ? apiError.message : 'Something went wrong while drawing this page.';
  return h(
    'div',
    { class: 'panel panel--error', role: 'alert' },
    h('p', {}, h('strong', {}, apiError?.status ? `Error ${apiError.status}: ` : 'Error: '), message),
    apiError?.correlationId ? h('p', { class: 'muted' }, `Correlation id: ${apiError.correlationId}`) : null,
    retry ? h('button', { type: 'button', class: 'button', onclick: retry }, 'Try again') : null,
  );
}

/** Whether an error is the reader leaving the view (an aborted fetch), which is no error to show. */
export function isAbort(error: unknown): boolean {
  return (error as Error)?.name === 'AbortError';
}
