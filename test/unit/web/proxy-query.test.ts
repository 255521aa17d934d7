import { describe, expect, it } from 'vitest';
import { DEFAULT_PROXY_QUERY, proxyHref, proxyQueryOf, type ProxyQuery } from '../../../web/src/proxy/proxy-query.ts';
import { proxyPaths } from '../../../web/src/proxy/proxy-api.ts';
import { viewOf } from '../../../web/src/routes.ts';
import { isAppPath, SECTIONS } from '../../../web/src/sections.ts';

describe('the Proxy page’s place in the shell', () => {
  it('is exactly /proxy (and /proxy/), its state in the query string', () => {
    expect(viewOf('/proxy', '')).toEqual({ name: 'proxy', query: DEFAULT_PROXY_QUERY });
    expect(viewOf('/proxy/', '?endpoint=pep_1&view=sessions')).toEqual({ name: 'proxy', query: { endpoint: 'pep_1', tab: 'recordings', view: 'sessions' } });
  });

  it('leaves the recording proxy’s paths alone: no view, no in-page navigation, no marked section', () => {
    for (const path of ['/proxy/pxt_abc', '/proxy/pxt_abc/cart/items', '/proxys']) {
      expect(viewOf(path, ''), path).toEqual({ name: 'not-found' });
      expect(isAppPath(path), path).toBe(false);
      expect(SECTIONS.filter((section) => section.owns(path)), path).toEqual([]);
    }
    expect(isAppPath('/proxy')).toBe(true);
    expect(SECTIONS.find((section) => section.owns('/proxy'))?.label).toBe('Proxy');
  });
});

describe('the Proxy page’s query-string state', () => {
  it('reads the endpoint, tab, view, expanded session and open replay', () => {
    expect(proxyQueryOf('?endpoint=pep_1&view=sessions&session=ses_2&replay=srp_3')).toEqual({ endpoint: 'pep_1', tab: 'recordings', view: 'sessions', session: 'ses_2', replay: 'srp_3' });
    expect(proxyQueryOf('?endpoint=pep_1&tab=settings')).toEqual({ endpoint: 'pep_1', tab: 'settings', view: 'flat' });
  });

  it('falls back to what the state can hold: nothing without an endpoint, a session only in By Session, a replay only with its session', () => {
    expect(proxyQueryOf('?tab=settings&view=sessions&session=ses_2')).toEqual(DEFAULT_PROXY_QUERY);
    expect(proxyQueryOf('?endpoint=pep_1&tab=nope&view=grid')).toEqual({ endpoint: 'pep_1', tab: 'recordings', view: 'flat' });
    expect(proxyQueryOf('?endpoint=pep_1&session=ses_2&replay=srp_3')).toEqual({ endpoint: 'pep_1', tab: 'recordings', view: 'flat' });
    expect(proxyQueryOf('?endpoint=pep_1&tab=settings&view=sessions&session=ses_2')).toEqual({ endpoint: 'pep_1', tab: 'settings', view: 'sessions' });
    expect(proxyQueryOf('?endpoint=pep_1&view=sessions&replay=srp_3')).toEqual({ endpoint: 'pep_1', tab: 'recordings', view: 'sessions' });
  });

  it('takes no id an API would not have made: empty, over 64 characters, with a slash, space or control character', () => {
    for (const bad of ['', 'x'.repeat(65), 'a/b', 'a b', 'a\u0000b', 'a\nb']) {
      expect(proxyQueryOf(`?${new URLSearchParams({ endpoint: bad })}`), JSON.stringify(bad)).toEqual(DEFAULT_PROXY_QUERY);
    }
    expect(proxyQueryOf(`?endpoint=${'x'.repeat(64)}`).endpoint).toHaveLength(64);
  });

  it('round-trips through its URL, leaving defaults out, the path always /proxy', () => {
    const states: ProxyQuery[] = [
      DEFAULT_PROXY_QUERY,
      { endpoint: 'pep_1', tab: 'recordings', view: 'flat' },
      { endpoint: 'pep_1', tab: 'settings', view: 'flat' },
      { endpoint: 'pep_1', tab: 'recordings', view: 'sessions' },
      { endpoint: 'pep_1&x=2:é', tab: 'recordings', view: 'sessions', session: 'ses_2' },
      { endpoint: 'pep_1', tab: 'recordings', view: 'sessions', session: 'ses_2', replay: 'srp_3' },
    ];
    for (const state of states) {
      const url = new URL(proxyHref(state), 'http://page.test');
      expect(url.pathname).toBe('/proxy');
      expect(proxyQueryOf(url.search), url.href).toEqual(state);
    }
    expect(proxyHref(DEFAULT_PROXY_QUERY)).toBe('/proxy');
    expect(proxyHref({ endpoint: 'pep_1' })).toBe('/proxy?endpoint=pep_1');
    expect(proxyHref({ endpoint: 'pep_1', view: 'sessions', session: 'ses_2', replay: 'srp_3' })).toBe('/proxy?endpoint=pep_1&view=sessions&session=ses_2&replay=srp_3');
  });

  it('drops what its tab or view cannot show', () => {
    expect(proxyHref({ endpoint: 'pep_1', tab: 'settings', view: 'sessions', session: 'ses_2' })).toBe('/proxy?endpoint=pep_1&tab=settings');
    expect(proxyHref({ endpoint: 'pep_1', view: 'flat', session: 'ses_2', replay: 'srp_3' })).toBe('/proxy?endpoint=pep_1');
    expect(proxyHref({ view: 'sessions', session: 'ses_2' })).toBe('/proxy');
  });
});

describe('the Proxy page’s API paths', () => {
  it('encode every id as one path segment and pass cursors on unchanged', () => {
    expect(proxyPaths.endpoints(100)).toBe('/api/v1/proxy-endpoints?limit=100');
    expect(proxyPaths.recordings('a/b', 50, 'p1:Yz+/=')).toBe('/api/v1/proxy-endpoints/a%2Fb/recordings?limit=50&cursor=p1%3AYz%2B%2F%3D');
    expect(new URL(proxyPaths.recordings('e', 50, 'p1:Yz+/='), 'http://page.test').searchParams.get('cursor')).toBe('p1:Yz+/=');
    expect(proxyPaths.session('e', 's?x', 100)).toBe('/api/v1/proxy-endpoints/e/sessions/s%3Fx?limit=100');
    expect(proxyPaths.replay('e', 's', 'r#1', 200, null)).toBe('/api/v1/proxy-endpoints/e/sessions/s/replays/r%231?limit=200');
    expect(proxyPaths.cancelReplay('e', 's', 'r')).toBe('/api/v1/proxy-endpoints/e/sessions/s/replays/r/cancel');
    expect(proxyPaths.importHar('e')).toBe('/api/v1/proxy-endpoints/e/sessions/import');
  });

  it('send the delete confirmation as a query value, encoded', () => {
    const url = new URL(proxyPaths.deleteEndpoint('e', 'shop api & co/2'), 'http://page.test');
    expect(url.pathname).toBe('/api/v1/proxy-endpoints/e');
    expect(url.searchParams.get('confirm')).toBe('shop api & co/2');
  });
});
