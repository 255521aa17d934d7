import type { ApiClient } from './api-client.ts';

/** What a view gets from the shell: where to draw, the API, and how to move on. */
export interface ViewContext {
  main: HTMLElement;
  api: ApiClient;
  /** Aborted when the reader leaves the view: its answers must not draw over the next one. */
  signal: AbortSignal;
  /** Client-side navigation to a page URL; focus then moves to the element with id `focus`, else the h1. */
  navigate(href: string, focus?: string): void;
  /** Says something to screen-reader users (polite live region). */
  announce(message: string): void;
  /** The key was refused (401): back to the key form. */
  unauthorized(): void;
  /** Sets the document title (the site name is appended). */
  title(text: string): void;
}
