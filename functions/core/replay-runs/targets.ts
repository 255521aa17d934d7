/** `provider/model[@revision]`: lower-case names, a revision of letters, digits and `.-_:`. */
const TARGET_PATTERN = /^([a-z0-9][a-z0-9-]{0,62})\/([a-z0-9][a-z0-9._-]{0,126})(?:@([A-Za-z0-9._:-]{1,64}))?$/;

export interface FixedTarget {
  provider: string;
  model: string;
  revision: string | undefined;
  /** `provider/model`, the key prices are listed under. */
  modelKey: string;
}

export function parseTarget(value: string): FixedTarget | undefined {
  const match = TARGET_PATTERN.exec(value);
  if (!match) return undefined;
  const [, provider, model, revision] = match as unknown as [string, string, string, string | undefined];
  return { provider, model, revision, modelKey: `${provider}/${model}` };
}

/** Alias names: what a project may call a weighted release. */
export const ALIAS_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
