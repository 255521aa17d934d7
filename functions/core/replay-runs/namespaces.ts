/** A cache namespace name: what `"{namespace}:{generation}"` starts with, and the path of its purge. */
export const NAMESPACE_NAME_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
/** `"{namespace}:{generation}"`, generations being integers from 1. */
export const NAMESPACE_GENERATION_PATTERN = /^[A-Za-z0-9._-]{1,128}:[1-9][0-9]{0,8}$/;

/** Generations a namespace may go through (purges + 1). */
export const MAX_PURGES_PER_NAMESPACE = 1_000;

export interface NamespaceGeneration {
  namespace: string;
  generation: number;
}

export function parseNamespaceGeneration(value: string): NamespaceGeneration | undefined {
  if (!NAMESPACE_GENERATION_PATTERN.test(value)) return undefined;
  const at = value.lastIndexOf(':');
  return { namespace: value.slice(0, at), generation: Number(value.slice(at + 1)) };
}

/** One ended generation: the purge that ended it. */
export interface Purge {
  generation: number;
  /** RFC 3339 with milliseconds: traces are compared with it to the millisecond. */
  purged_at: string;
}

/** A namespace of a project: its current generation and every purge so far, oldest first. */
export interface NamespaceRecord {
  namespace: string;
  generation: number;
  purges: Purge[];
  updated_at: string;
}

/** A namespace nobody has purged is at generation 1. */
export function unpurged(namespace: string): NamespaceRecord {
  return { namespace, generation: 1, purges: [], updated_at: '' };
}
