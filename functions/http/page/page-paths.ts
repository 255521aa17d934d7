/**
 * The paths of the app shell's pages (one built page, routed in the browser):
 * a request for one of them gets the page with 200, any other path the page
 * function serves gets it with 404 (the page then says "not found"). A new
 * page adds its paths here, its route to the catalogue and its contract to
 * ./contract.ts (see web/src/sections.ts).
 */
export const PAGE_PATHS: readonly RegExp[] = [/^\/replay(\/|\/runs\/[^/]+\/?)?$/, /^\/proxy\/?$/, /^\/reproducibility\/?$/];

export function isPagePath(path: string): boolean {
  return PAGE_PATHS.some((pattern) => pattern.test(path));
}
