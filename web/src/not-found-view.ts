import { h, replace } from './dom.ts';
import type { ViewContext } from './view-context.ts';
import { pageHeading } from './widgets.ts';

/** A path below /replay the page has no view for. */
export function showNotFound(ctx: ViewContext): void {
  ctx.title('Page not found');
  replace(ctx.main, pageHeading('Page not found'), h('div', { class: 'panel' }, h('p', {}, 'The Replay Hub has no page at this address.'), h('p', {}, h('a', { href: '/replay' }, 'Go to the Replay Hub'))));
}
