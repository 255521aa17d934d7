import { ApiError } from './api-client.ts';
import { h } from './dom.ts';
import { formatLocalTime } from './format.ts';
import type { ReplayStatus } from './types.ts';
import type { ViewContext } from './view-context.ts';

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

/**
 * A button that copies `text` to the clipboard and says so; where the browser
 * refuses the clipboard, it selects `shown` (the element showing the text) and
 * says how to copy it by hand.
 */
export function copyButton(ctx: Pick<ViewContext, 'announce'>, text: () => string, shown: HTMLElement, label: string, copied: string): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'button',
      onclick: () => {
        const clipboard = navigator.clipboard;
        if (!clipboard) return selectText(shown, ctx);
        clipboard.writeText(text()).then(
          () => ctx.announce(copied),
          () => selectText(shown, ctx),
        );
      },
    },
    label,
  );
}

function selectText(element: HTMLElement, ctx: Pick<ViewContext, 'announce'>): void {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
  ctx.announce('The text is selected: press Ctrl+C or ⌘C to copy it.');
}
