import { createApiClient } from './api-client.ts';
import { showHub } from './hub-view.ts';
import { keyStore } from './key-store.ts';
import { showKeyForm } from './key-view.ts';
import { showNotFound } from './not-found-view.ts';
import { viewOf } from './routes.ts';
import { showRun } from './run-view.ts';
import { isAppPath, SECTIONS } from './sections.ts';
import { h, replace } from './dom.ts';
import { errorPanel } from './widgets.ts';
import type { ViewContext } from './view-context.ts';

const main = document.getElementById('main')!;
const announcer = document.getElementById('announcer')!;
const forgetKey = document.getElementById('forget-key') as HTMLButtonElement;
const sections = document.getElementById('sections')!;

/** The navigation bar, the current section marked for sight and for screen readers. */
function renderSections(): void {
  replace(
    sections,
    ...SECTIONS.map((section) =>
      h('a', { class: 'topbar-link', href: section.href, 'data-section': section.id, 'aria-current': section.owns(location.pathname) ? 'page' : undefined }, section.label),
    ),
  );
}

let current: AbortController | undefined;
let firstRender = true;

/** Draws the view of the current location, or the key form when no key is kept. */
function render(options: { notice?: string; focus?: string } = {}): void {
  current?.abort();
  current = new AbortController();
  renderSections();
  const key = keyStore.get();
  forgetKey.hidden = !key;
  if (!key) {
    showKeyForm(main, {
      heading: SECTIONS.find((section) => section.owns(location.pathname))?.label ?? 'Reprise',
      notice: options.notice,
      accepted: (accepted) => {
        keyStore.set(accepted);
        render();
      },
    });
    firstRender = false;
    return;
  }
  const context: ViewContext = {
    main,
    api: createApiClient(key, current.signal),
    signal: current.signal,
    navigate,
    announce,
    unauthorized: () => {
      keyStore.forget();
      render({ notice: 'The saved API key was not accepted (401): it may have been revoked. Enter another key.' });
    },
    title: (text) => {
      document.title = `${text} · Reprise`;
    },
  };
  const view = viewOf(location.pathname, location.search);
  // After client-side navigation, move focus as a page load would reset it.
  const moveFocus = firstRender ? () => undefined : () => (document.getElementById(options.focus ?? '') ?? main.querySelector<HTMLElement>('h1'))?.focus();
  firstRender = false;
  if (view.name === 'proxy') return showLater(context, () => import('./proxy/proxy-view.ts').then(({ showProxy }) => () => showProxy(context, view.query)), moveFocus);
  if (view.name === 'reproducibility') {
    return showLater(context, () => import('./reproducibility-view.ts').then(({ showReproducibility }) => () => showReproducibility(context, view.query)), moveFocus);
  }
  if (view.name === 'hub') showHub(context, view.query);
  else if (view.name === 'run') showRun(context, view.runId);
  else showNotFound(context);
  moveFocus();
}

/**
 * Draws a view whose code is a chunk of its own (loaded when its page opens,
 * so the other pages do not carry it), unless the reader has moved on meanwhile.
 */
function showLater(context: ViewContext, load: () => Promise<() => void>, moveFocus: () => void): void {
  main.setAttribute('aria-busy', 'true');
  load().then(
    (show) => {
      if (context.signal.aborted) return;
      show();
      moveFocus();
    },
    () => {
      if (context.signal.aborted) return;
      replace(main, h('h1', { tabindex: '-1' }, 'This page could not be loaded'), errorPanel(undefined, () => location.reload()));
      moveFocus();
    },
  ).finally(() => main.removeAttribute('aria-busy'));
}

function navigate(href: string, focus?: string): void {
  history.pushState(null, '', href);
  render(focus ? { focus } : {});
}

function announce(message: string): void {
  // Emptied first, so that the same message twice is announced twice.
  announcer.textContent = '';
  setTimeout(() => (announcer.textContent = message), 100);
}

forgetKey.addEventListener('click', () => {
  keyStore.forget();
  render({ notice: 'The API key was forgotten on this browser.' });
});

// Links within the page navigate without reloading; modified clicks keep their usual meaning.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = (event.target as Element | null)?.closest?.('a');
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !isAppPath(url.pathname)) return;
  if (url.hash && url.pathname === location.pathname) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', () => render());

render();
