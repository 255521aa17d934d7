import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../functions/core/errors.ts';
import { priceCatalogue } from '../../../../functions/core/replay-runs/price-catalogue.ts';
import { pick, requirePrices, resolveSide, type AliasRelease } from '../../../../functions/core/replay-runs/routing.ts';
import { simulateRouting } from '../../../../functions/core/replay-runs/routing-simulation.ts';
import { seedFrom, uniformAt } from '../../../../functions/core/replay-runs/seeded-random.ts';
import { parseTarget } from '../../../../functions/core/replay-runs/targets.ts';

const alias = (name: string, releases: AliasRelease['releases'], version = 1): AliasRelease => ({ name, version, releases });
const none = new Map<string, AliasRelease>();

describe('targets', () => {
  it.each([
    ['openai/gpt-4o', { provider: 'openai', model: 'gpt-4o', revision: undefined, modelKey: 'openai/gpt-4o' }],
    ['openai/gpt-4o@2025-01-01', { provider: 'openai', model: 'gpt-4o', revision: '2025-01-01', modelKey: 'openai/gpt-4o' }],
    ['anthropic/claude-3.7_sonnet', { provider: 'anthropic', model: 'claude-3.7_sonnet', revision: undefined, modelKey: 'anthropic/claude-3.7_sonnet' }],
  ])('parses %s', (text, parsed) => {
    expect(parseTarget(text)).toEqual(parsed);
  });

  it.each(['gpt-4o', 'OpenAI/gpt-4o', 'openai/', '/gpt', 'openai/gpt 4o', 'openai/gpt-4o@', 'a/b/c'])('refuses %j', (text) => {
    expect(parseTarget(text)).toBeUndefined();
  });
});

describe('seeded randomness', () => {
  it('is a pure function of (seed, index), in [0, 1), spread evenly', () => {
    const seed = seedFrom('run-1');
    expect(seedFrom('run-1')).toBe(seed);
    expect(seedFrom('run-2')).not.toBe(seed);
    const draws = Array.from({ length: 100_000 }, (_, i) => uniformAt(seed, i));
    expect(draws.every((u) => u >= 0 && u < 1)).toBe(true);
    expect(uniformAt(seed, 42)).toBe(draws[42]);
    const buckets = new Array(10).fill(0);
    for (const u of draws) buckets[Math.floor(u * 10)]++;
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});

describe('resolving a baseline or candidate', () => {
  it('prefers a live alias, then a profile, then a fixed target', () => {
    const aliases = new Map([['managed', alias('managed', [{ target: 'openai/gpt-4.1', weight: 1 }], 4)]]);
    expect(resolveSide('baseline', 'managed', aliases, priceCatalogue)).toMatchObject({ kind: 'alias', aliasRelease: 'managed@4', choices: [{ label: 'openai/gpt-4.1' }] });
    expect(resolveSide('baseline', 'managed', none, priceCatalogue)).toMatchObject({ kind: 'profile', aliasRelease: null, choices: [{ label: 'openai/gpt-4o' }] });
    expect(resolveSide('baseline', 'openai/gpt-4o-mini@2024-07-18', none, priceCatalogue)).toMatchObject({
      kind: 'target',
      choices: [{ target: { revision: '2024-07-18' }, prices: priceCatalogue.models['openai/gpt-4o-mini'] }],
    });
  });

  it('gives each release its weighted slice', () => {
    const side = resolveSide('candidate', 'bot', new Map([['bot', alias('bot', [{ target: 'openai/gpt-4o', weight: 3 }, { target: 'openai/gpt-4o-mini', weight: 1 }])]]), priceCatalogue);
    expect(side.choices.map((c) => c.cumulative)).toEqual([0.75, 1]);
    expect(pick(side, 0.74)).toBe(0);
    expect(pick(side, 0.75)).toBe(1);
    expect(pick(side, 0.999)).toBe(1);
  });

  it('refuses a name that is none of them, naming the parameter', () => {
    const attempt = () => resolveSide('candidate', 'no-such-thing', none, priceCatalogue);
    expect(attempt).toThrow(InvalidRequestError);
    expect(attempt).toThrow(/candidate "no-such-thing"/);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidRequestError).param).toBe('candidate');
    }
  });

  it('knows which targets cannot be costed', () => {
    const unpriced = resolveSide('baseline', 'acme/unknown-model', none, priceCatalogue);
    expect(() => requirePrices('baseline', unpriced)).toThrow(/No list price is known for acme\/unknown-model/);
    expect(() => requirePrices('baseline', resolveSide('baseline', 'managed', none, priceCatalogue))).not.toThrow();
  });
});

describe('routing simulation', () => {
  it('reports the split of each side and how often they disagree, the same every time', () => {
    const aliases = new Map([['bot', alias('bot', [{ target: 'openai/gpt-4o', weight: 80 }, { target: 'openai/gpt-4o-mini', weight: 20 }])]]);
    const bot = resolveSide('baseline', 'bot', aliases, priceCatalogue);
    const managed = resolveSide('candidate', 'managed', aliases, priceCatalogue);

    const metrics = simulateRouting(bot, managed);

    expect(metrics.seed_sweep.seeds).toBe(1_000);
    expect(metrics.target_distribution.baseline['openai/gpt-4o']).toBeCloseTo(0.8, 1);
    expect(metrics.target_distribution.candidate).toEqual({ 'openai/gpt-4o': 1 });
    expect(metrics.divergence_rate).toBeCloseTo(metrics.target_distribution.baseline['openai/gpt-4o-mini']!, 6);
    expect(simulateRouting(bot, managed)).toEqual(metrics);
    expect(simulateRouting(bot, bot).divergence_rate).toBe(0);
  });
});
