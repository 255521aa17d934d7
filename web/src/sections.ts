/**
 * The app shell's sections: one navigation bar across every page of Reprise.
 * A new page joins the shell by
 *   1. an entry here (label, href, the paths it owns),
 *   2. its views in routes.ts (`viewOf`) and their dispatch in main.ts,
 *   3. on the server, a page route in lib/catalogue.ts with its contract in
 *      functions/http/page/contract.ts, and its paths in functions/http/page/page-paths.ts.
 * Paths below `/proxy/` belong to the recording proxy, so the Proxy page keeps
 * its state in the query string, never in sub-paths.
 */
export interface Section {
  id: string;
  label: string;
  href: string;
  /** Whether a location belongs to this section (its link is then marked current). */
  owns(pathname: string): boolean;
}

export const SECTIONS: readonly Section[] = [
  { id: 'replay', label: 'Replay Hub', href: '/replay', owns: (path) => /^\/replay(\/|$)/.test(path) },
  // Its state lives in the query string (sessionId, agentId, runId).
  { id: 'reproducibility', label: 'Reproducibility', href: '/reproducibility', owns: (path) => /^\/reproducibility\/?$/.test(path) },
  // Exactly /proxy: a link to a proxy URL (/proxy/{token}/…) is the proxy's, not the page's.
  { id: 'proxy', label: 'Proxy', href: '/proxy', owns: (path) => /^\/proxy\/?$/.test(path) },
];

/** Whether a same-origin link leads to a page of the app (navigated in place) rather than to the API or a file. */
export function isAppPath(pathname: string): boolean {
  return SECTIONS.some((section) => section.owns(pathname)) && !pathname.startsWith('/replay/assets/');
}
