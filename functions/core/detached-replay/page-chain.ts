import type { PageState } from './execution.ts';

/**
 * The pages no message will bring: page 0 when it is neither done nor
 * sent, and each page after a done page (whose start is known) that is
 * neither done nor sent. A page after a page not done is left out: the
 * page before it sends it once it runs.
 */
export function unfinishedPages(pages: readonly PageState[]): { page: number; after: string | null }[] {
  const byNumber = new Map(pages.map((state) => [state.page, state]));
  const waiting = (page: number) => {
    const state = byNumber.get(page);
    return !state?.done && !state?.sent;
  };
  const missing: { page: number; after: string | null }[] = waiting(0) ? [{ page: 0, after: null }] : [];
  for (const state of pages) {
    if (state.done && typeof state.next === 'string' && waiting(state.page + 1)) missing.push({ page: state.page + 1, after: state.next });
  }
  return missing;
}
