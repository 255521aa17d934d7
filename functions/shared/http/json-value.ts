import type { FieldIssue } from '#core/errors.ts';
import type { RequestPart } from './validation.ts';

/**
 * What a JSON value may be on this API, decided once for every route: what
 * DynamoDB, the AWS SDK, RFC 8785 canonicalisation and S3 keys all accept, so
 * that no input can reach a 500 further in.
 */
export const jsonValueRules = {
  /** Levels of arrays and objects, the body itself included (DynamoDB documents nest 32 deep). */
  maxDepth: 32,
  /** DynamoDB numbers: 0, or a magnitude from 1e-130 up to (not including) 1e126. */
  minMagnitude: 1e-130,
  maxMagnitude: 1e126,
  /** Issues reported per request; the rest are not looked for. */
  maxIssues: 20,
} as const;

/** Keys JSON.parse keeps as own properties but that rebuild a prototype once copied with assignment. */
const FORBIDDEN_KEYS = new Set(['__proto__']);

/** Stands in for a number of the body that cannot be held exactly, so the walk can say where it was. */
class RefusedNumber {
  readonly source: string;
  readonly reason: 'precision' | 'range';
  readonly readsAs: number;

  constructor(source: string, reason: 'precision' | 'range', readsAs: number) {
    this.source = source;
    this.reason = reason;
    this.readsAs = readsAs;
  }
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/**
 * Parses a JSON text and checks it against `jsonValueRules`. Throws a
 * `SyntaxError` for text that is not JSON; returns the value and the issues
 * found (each naming its field), at most `maxIssues` of them.
 */
export function parseJson(text: string, part: RequestPart = 'body'): { value: unknown; issues: FieldIssue[] } {
  // The reviver sees each number's source text (Node ≥ 21): the only way to tell 9007199254740993 from …992.
  const reviver: Reviver = (_key, value, context) => {
    if (typeof value !== 'number' || context?.source === undefined) return value;
    const reason = numberProblem(context.source, value);
    return reason ? new RefusedNumber(context.source, reason, value) : value;
  };
  let value: unknown;
  try {
    value = JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]);
  } catch (error) {
    // Reviving recurses, parsing does not: nesting thousands deep overflows only the first,
    // and the depth rule refuses what the plain parse gives.
    if (!(error instanceof RangeError)) throw error;
    value = JSON.parse(text);
  }
  return { value, issues: jsonValueIssues(value, part) };
}

/** A node of the walk: its value, and how it hangs from the root (the path is only built for an issue). */
interface Node {
  value: unknown;
  parent: Node | undefined;
  key: string | number;
  depth: number;
}

function pathOf(node: Node): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Node | undefined = node; at?.parent; at = at.parent) path.push(at.key);
  return path.reverse();
}

/** The issues of an already parsed value (strings, keys, depth; numbers only as `parseJson` marks them). */
export function jsonValueIssues(root: unknown, part: RequestPart): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: Node[] = [{ value: root, parent: undefined, key: '', depth: 1 }];
  while (stack.length > 0 && issues.length < jsonValueRules.maxIssues) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) issues.push(loneSurrogate([part, ...pathOf(node)], value));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (value instanceof RefusedNumber) {
      issues.push(refusedNumber([part, ...pathOf(node)], value));
      continue;
    }
    if (node.depth > jsonValueRules.maxDepth) {
      issues.push({ loc: [part, ...pathOf(node)], msg: `JSON may nest at most ${jsonValueRules.maxDepth} levels of arrays and objects`, type: 'json_depth' });
      continue;
    }
    const depth = node.depth + 1;
    // Pushed last to first, so issues come in document order.
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: node, key: i, depth });
      continue;
    }
    const children: Node[] = [];
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      const keyIssue = keyProblem(key, item);
      if (keyIssue) issues.push({ loc: [part, ...pathOf(node), key], input: key, ...keyIssue });
      else children.push({ value: item, parent: node, key, depth });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return issues.slice(0, jsonValueRules.maxIssues);
}

/** Whether a string (a query or path value, a header) is well-formed Unicode; an issue if not. */
export function textIssues(part: RequestPart, values: Record<string, string | undefined> | null | undefined): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [name, value] of Object.entries(values ?? {})) {
    if (!name.isWellFormed()) issues.push(loneSurrogate([part, name], name));
    else if (value !== undefined && !value.isWellFormed()) issues.push(loneSurrogate([part, name], value));
  }
  return issues;
}

function keyProblem(key: string, value: unknown): Pick<FieldIssue, 'msg' | 'type'> | undefined {
  if (key === '') return { msg: 'Object keys must not be empty', type: 'key_empty' };
  if (!key.isWellFormed()) return { msg: 'Object keys must be well-formed Unicode (this one has a lone surrogate)', type: 'string_unicode' };
  if (FORBIDDEN_KEYS.has(key) || (key === 'constructor' && value !== null && typeof value === 'object' && Object.hasOwn(value, 'prototype'))) {
    return { msg: `"${key}" is not allowed as an object key`, type: 'key_forbidden' };
  }
  return undefined;
}

function loneSurrogate(loc: (string | number)[], input: string): FieldIssue {
  return { loc, msg: 'String must be well-formed Unicode (it has a lone surrogate)', type: 'string_unicode', input };
}

function refusedNumber(loc: (string | number)[], number: RefusedNumber): FieldIssue {
  const { minMagnitude, maxMagnitude } = jsonValueRules;
  return number.reason === 'range'
    ? { loc, msg: `Number must be 0 or of a magnitude from ${minMagnitude} to below ${maxMagnitude}`, type: 'number_range', input: number.source }
    : {
        loc,
        msg: `Number cannot be held exactly (it would read back as ${String(number.readsAs)}): send at most 15 significant digits, or a string`,
        type: 'number_precision',
        input: number.source,
      };
}

/**
 * Why a JSON number cannot be kept as sent: `precision` when the double it
 * parses to is another decimal value (9007199254740993 → …992), `range`
 * when DynamoDB cannot hold its magnitude (1e200, 1e-200, or one that overflows).
 */
export function numberProblem(source: string, value: number): 'precision' | 'range' | undefined {
  // Up to 15 significant digits always survive a double, and no such plain decimal is out of range.
  if (source.length <= 15 && !/[eE]/.test(source)) return undefined;
  const sent = decimalOf(source);
  if (!sent || !Number.isFinite(value)) return 'range';
  // The power of ten of the leading digit, compared as decimals (doubles round near the bounds).
  const order = sent.digits.length + sent.exponent - 1;
  if (sent.digits !== '' && (order < MIN_ORDER || order > MAX_ORDER)) return 'range';
  const kept = decimalOf(String(value));
  if (!kept) return 'precision';
  if (sent.digits === '' && kept.digits === '') return undefined;
  return sent.negative === kept.negative && sent.digits === kept.digits && sent.exponent === kept.exponent ? undefined : 'precision';
}

const MIN_ORDER = Math.round(Math.log10(jsonValueRules.minMagnitude));
const MAX_ORDER = Math.round(Math.log10(jsonValueRules.maxMagnitude)) - 1;

/** A decimal as sign, significant digits (no leading or trailing zeros) and exponent; `digits` is '' for zero. */
function decimalOf(text: string): { negative: boolean; digits: string; exponent: number } | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  let digits = whole! + fraction;
  let exponent = Number(exponentText) - fraction.length;
  const leading = /^0*/.exec(digits)![0].length;
  digits = digits.slice(leading);
  const trailing = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return { negative: sign === '-', digits, exponent: digits === '' ? 0 : exponent };
}
