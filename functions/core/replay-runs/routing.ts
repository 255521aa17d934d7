import { InvalidRequestError } from '../errors.ts';
import type { ModelSpec, PriceCatalogue } from './price-catalogue.ts';
import { parseTarget, type FixedTarget } from './targets.ts';

/** A project's alias at one release: weighted fixed targets. */
export interface AliasRelease {
  name: string;
  version: number;
  releases: { target: string; weight: number }[];
}

/** One target a side may route to, with its share of traffic and its price. */
export interface RouteChoice {
  target: FixedTarget;
  /** `provider/model[@revision]` as configured. */
  label: string;
  /** Upper bound of this choice's slice of [0, 1). */
  cumulative: number;
  /** undefined when the target has no list price in the catalogue. */
  prices: ModelSpec | undefined;
}

/** What a baseline or candidate string resolved to. */
export interface ResolvedSide {
  name: string;
  kind: 'alias' | 'profile' | 'target';
  /** `name@version` when an alias is involved (directly or through a profile). */
  aliasRelease: string | null;
  reusesCachedPrefixes: boolean;
  choices: RouteChoice[];
}

/**
 * Resolves a baseline or candidate: a live alias of the project first, then a
 * catalogue profile, then a well-formed fixed target. Anything else is a 400
 * naming the parameter.
 */
export function resolveSide(
  param: 'baseline' | 'candidate',
  name: string,
  aliases: ReadonlyMap<string, AliasRelease>,
  catalogue: PriceCatalogue,
): ResolvedSide {
  const alias = aliases.get(name);
  if (alias) return { name, kind: 'alias', aliasRelease: `${alias.name}@${alias.version}`, reusesCachedPrefixes: true, choices: choicesOf(alias, catalogue) };

  const profile = catalogue.profiles[name];
  if (profile) {
    if (profile.target.startsWith('alias:')) {
      const routed = aliases.get(profile.target.slice('alias:'.length));
      if (!routed) throw new InvalidRequestError(`Profile ${name} routes to alias ${profile.target.slice(6)}, which this project has not defined`, param);
      return { name, kind: 'profile', aliasRelease: `${routed.name}@${routed.version}`, reusesCachedPrefixes: profile.reusesCachedPrefixes, choices: choicesOf(routed, catalogue) };
    }
    return { name, kind: 'profile', aliasRelease: null, reusesCachedPrefixes: profile.reusesCachedPrefixes, choices: [fixedChoice(profile.target, 1, catalogue)] };
  }

  if (parseTarget(name)) return { name, kind: 'target', aliasRelease: null, reusesCachedPrefixes: true, choices: [fixedChoice(name, 1, catalogue)] };
  throw new InvalidRequestError(
    `${param} "${name}" is not an alias of this project, a known profile (${Object.keys(catalogue.profiles).join(', ')}) or a provider/model[@revision] target`,
    param,
  );
}

/** The alias names resolving these sides may need: each side itself, and the alias a profile of that name routes to. */
export function aliasNamesOf(sides: readonly string[], catalogue: PriceCatalogue): string[] {
  const names = new Set<string>();
  for (const side of sides) {
    names.add(side);
    const target = catalogue.profiles[side]?.target;
    if (target?.startsWith('alias:')) names.add(target.slice('alias:'.length));
  }
  return [...names];
}

/** The choice a uniform number in [0, 1) routes to. */
export function pick(side: ResolvedSide, u: number): number {
  const { choices } = side;
  for (let i = 0; i < choices.length - 1; i++) if (u < choices[i]!.cumulative) return i;
  return choices.length - 1;
}

/** Throws a 400 naming the side whose target has no list price (cost classes need one). */
export function requirePrices(param: 'baseline' | 'candidate', side: ResolvedSide): void {
  const unpriced = side.choices.find((c) => !c.prices);
  if (unpriced) throw new InvalidRequestError(`No list price is known for ${unpriced.label}, so ${param} cannot be costed`, param);
}

function choicesOf(alias: AliasRelease, catalogue: PriceCatalogue): RouteChoice[] {
  const total = alias.releases.reduce((sum, r) => sum + r.weight, 0);
  let running = 0;
  return alias.releases.map((release) => {
    running += release.weight;
    return fixedChoice(release.target, running / total, catalogue);
  });
}

function fixedChoice(label: string, cumulative: number, catalogue: PriceCatalogue): RouteChoice {
  const target = parseTarget(label);
  if (!target) throw new Error(`Catalogue target ${label} is malformed`);
  return { target, label, cumulative, prices: catalogue.models[target.modelKey] };
}
