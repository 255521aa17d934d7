import { describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../lib/catalogue.ts';
import { catalogue } from '../../lib/cdk/catalogue-input.ts';
import { bundledFilesHooks } from '../../lib/cdk/constructs/reprise-function.ts';
import { synthesize } from './synth.ts';
import { queries } from './template-queries.ts';

// Prepare and act once per file; each test assesses the same template.
const { template } = synthesize();
const q = queries(template);
const pageRoutes = catalogue.routes.filter((route) => route.entry === 'functions/http/page/serve-page.ts');

/** The function a route's integration invokes. */
function targetOf(routeKey: string): string {
  const [, route] = q.resources('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === routeKey)!;
  const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
  const [, integration] = q.resources('AWS::ApiGatewayV2::Integration').find(([id]) => id === integrationId)!;
  return integration.Properties.IntegrationUri['Fn::GetAtt'][0];
}

describe('the pages on AWS', () => {
  it('are served at /replay and below, at exactly /proxy and at /reproducibility, by public routes; / redirects to the page from the same function', () => {
    expect(pageRoutes.map((r) => `${r.method} ${r.path} ${r.auth}`)).toEqual(['GET / false', 'GET /replay false', 'GET /replay/{proxy+} false', 'GET /proxy false', 'GET /reproducibility false']);
  });

  it('have every route share one function, which touches no table, queue, bucket or secret', () => {
    const [functionId] = q.fn('functions/http/page/serve-page.ts');
    expect(pageRoutes.map((r) => targetOf(`${r.method} ${r.path}`))).toEqual(pageRoutes.map(() => functionId));
    const statements = q.statementsOf('functions/http/page/serve-page.ts');
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => !a.startsWith('logs:'))).toEqual([]);
  });

  it('leave every path below /proxy to the recording proxy: GET /proxy is the page, /proxy/{endpoint_token} and below the proxy', () => {
    const [pageFunction] = q.fn('functions/http/page/serve-page.ts');
    const [proxyFunction] = q.fn('functions/http/proxy/forward.ts');
    const proxyKeys = q
      .resources('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey as string)
      .filter((key) => / \/proxy(\/|$)/.test(key))
      .sort();
    expect(proxyKeys).toEqual(['ANY /proxy/{endpoint_token}', 'ANY /proxy/{endpoint_token}/{proxy+}', 'GET /proxy']);
    expect(targetOf('GET /proxy')).toBe(pageFunction);
    expect(targetOf('ANY /proxy/{endpoint_token}')).toBe(proxyFunction);
    expect(targetOf('ANY /proxy/{endpoint_token}/{proxy+}')).toBe(proxyFunction);
  });

  it('builds the page before bundling and copies it beside the bundle', () => {
    const files = pageRoutes[0]!.files!;
    const hooks = bundledFilesHooks(files);
    expect(hooks.beforeBundling('/repo', '/out')).toEqual(['npm run --silent build']);
    expect(hooks.afterBundling('/repo', '/out')).toEqual([`cp -R '/repo/${files.from}' '/out/${files.into}'`]);
    expect(hooks.afterBundling("/it's", '/out')[0]).toBe(`cp -R '/it'\\''s/${files.from}' '/out/${files.into}'`);
  });

  it('refuses routes that share a module but not its settings', () => {
    const [first] = pageRoutes as [RouteSpec];
    const diverging: RouteSpec = { ...first, path: '/replay-too', memoryMb: first.memoryMb * 2 };
    expect(() => synthesize({ catalogue: { ...catalogue, routes: [...catalogue.routes, diverging] } })).toThrow(/share functions\/http\/page\/serve-page\.ts/);
  });
});
