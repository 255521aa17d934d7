/**
 * The versioned catalogue of execution profiles and public list prices that
 * replay runs price traffic with. Its `revision` goes into every report's
 * provenance: change a price or a profile, change the revision.
 *
 * Prices are micro-USD per million tokens (1 USD = 1,000,000 micro-USD), as
 * the providers list them on `pricesAsOf`. Cached input is the provider's
 * price for reading a cached prompt prefix.
 *
 * `prefillTokensPerSecond` is this catalogue's stated assumption (no provider
 * publishes one) of how fast a model reads uncached prompt tokens before its
 * first output token; synthetic_performance projects TTFT with it. Revision
 * cat_2026-12-01 added it; prices are unchanged from cat_2026-11-01.
 */
export const priceCatalogue = {
  revision: 'cat_2026-12-01',
  pricesAsOf: '2026-11-01',
  models: {
    'openai/gpt-4o': { input: 2_500_000, cachedInput: 1_250_000, output: 10_000_000, prefillTokensPerSecond: 8_000 },
    'openai/gpt-4o-mini': { input: 150_000, cachedInput: 75_000, output: 600_000, prefillTokensPerSecond: 20_000 },
    'openai/gpt-4.1': { input: 2_000_000, cachedInput: 500_000, output: 8_000_000, prefillTokensPerSecond: 8_000 },
    'openai/gpt-4.1-mini': { input: 400_000, cachedInput: 100_000, output: 1_600_000, prefillTokensPerSecond: 20_000 },
    'anthropic/claude-3-7-sonnet': { input: 3_000_000, cachedInput: 300_000, output: 15_000_000, prefillTokensPerSecond: 6_000 },
    'anthropic/claude-3-5-haiku': { input: 800_000, cachedInput: 80_000, output: 4_000_000, prefillTokensPerSecond: 15_000 },
    'google/gemini-2.0-flash': { input: 100_000, cachedInput: 25_000, output: 400_000, prefillTokensPerSecond: 25_000 },
  },
  profiles: {
    managed: {
      description: 'Platform-managed inference on the default model, provider prompt caching on',
      target: 'openai/gpt-4o',
      reusesCachedPrefixes: true,
    },
    managed_mini: {
      description: 'Platform-managed inference on the small default model, provider prompt caching on',
      target: 'openai/gpt-4o-mini',
      reusesCachedPrefixes: true,
    },
    byoc_us_east: {
      description: 'Your own AWS account in us-east-1, Claude 3.7 Sonnet with prompt caching',
      target: 'anthropic/claude-3-7-sonnet',
      reusesCachedPrefixes: true,
    },
    byoc_no_cache: {
      description: 'Your own account on the default model, without prompt caching',
      target: 'openai/gpt-4o',
      reusesCachedPrefixes: false,
    },
  },
} as const satisfies PriceCatalogue;

export interface ModelPrices {
  /** micro-USD per million input tokens not served from a cache. */
  input: number;
  /** micro-USD per million input tokens read from a cached prefix. */
  cachedInput: number;
  /** micro-USD per million output tokens. */
  output: number;
}

export interface ProfileSpec {
  description: string;
  /** A fixed target (`provider/model[@revision]`) or `alias:<name>` of the project. */
  target: string;
  reusesCachedPrefixes: boolean;
}

/** A model of the catalogue: its list prices and the prefill rate TTFT projections assume. */
export interface ModelSpec extends ModelPrices {
  /** Uncached prompt tokens read per second before the first output token (an assumption, see above). */
  prefillTokensPerSecond: number;
}

export interface PriceCatalogue {
  revision: string;
  pricesAsOf: string;
  models: Record<string, ModelSpec>;
  profiles: Record<string, ProfileSpec>;
}
