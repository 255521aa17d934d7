import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type * as contract from '../../../functions/http/session-replay/contract.ts';
import type { RouteContract } from '../../../functions/shared/http/contract.ts';
import type { EndpointChanges, EndpointRequest, ProxyEndpoint, ProxySession, Recording, ReplayRequest, ReplayResult, SessionReplay } from '../../../web/src/proxy/types.ts';

/** What a route takes as its JSON body (before the contract's defaults and transforms). */
type Body<C> = C extends RouteContract<infer B> ? (B extends z.ZodType ? z.input<B> : never) : never;

// The page writes the API's shapes out (the contract imports zod); `npm test` type-checks these
// assertions, so a change to the contract that the page does not follow fails the build.
describe('the Proxy page’s types', () => {
  it('are the session replay contract’s answers', () => {
    expectTypeOf<ProxyEndpoint>().toEqualTypeOf<z.output<typeof contract.endpointSchema>>();
    expectTypeOf<ProxySession>().toEqualTypeOf<z.output<typeof contract.sessionSchema>>();
    expectTypeOf<Recording>().toEqualTypeOf<z.output<typeof contract.recordingSchema>>();
    expectTypeOf<SessionReplay>().toEqualTypeOf<z.output<typeof contract.replaySchema>>();
    expectTypeOf<ReplayResult>().toEqualTypeOf<z.output<typeof contract.resultSchema>>();
  });

  it('send what the contract takes', () => {
    expectTypeOf<ReplayRequest>().toExtend<Body<typeof contract.createReplay>>();
    expectTypeOf<EndpointRequest>().toExtend<Body<typeof contract.createEndpoint>>();
    expectTypeOf<EndpointChanges>().toExtend<Body<typeof contract.updateEndpoint>>();
  });
});
