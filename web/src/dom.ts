/**
 * The page builds its DOM from elements and text nodes only: no HTML string
 * ever reaches the document (the Content-Security-Policy enforces it with
 * Trusted Types), so data from the API cannot become markup.
 */

type Child = Node | string | number | false | null | undefined;
type Attributes = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** An HTML element with attributes (`on<event>` functions become listeners) and children (text stays text). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attributes, children);
}

/** An SVG element, likewise. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  return fill(document.createElementNS('http://www.w3.org/2000/svg', tag), attributes, children);
}

function fill<E extends Element>(element: E, attributes: Attributes, children: Child[]): E {
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  element.append(...nodes(children));
  return element;
}

function nodes(children: Child[]): Node[] {
  return children.filter((child) => child !== false && child !== null && child !== undefined).map((child) => (child instanceof Node ? child : document.createTextNode(String(child))));
}

/** Replaces every child of `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...nodes(children));
}

let ids = 0;
/** A document-unique id for label/aria references. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${++ids}`;
}
