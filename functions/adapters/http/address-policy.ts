import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { AgentOptions as HttpsAgentOptions } from 'node:https';
import { BlockList, isIP, Socket, type LookupFunction, type TcpNetConnectOpts } from 'node:net';
import type { Duplex } from 'node:stream';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

/** Exceptions to the public-addresses-only rule. */
export interface AddressPolicyOptions {
  /** Permit 127.0.0.1 and ::1 (nothing else in 127.0.0.0/8, no IPv4-mapped form, no private or link-local range). */
  allowLoopback?: boolean;
  /** Exact addresses to permit besides public ones. */
  allowAddresses?: string[];
}

/** Which IP addresses outbound connections may reach. */
export interface AddressPolicy {
  /** True when a socket may connect to `address` (an IP literal; anything else is refused). */
  permits(address: string): boolean;
  /** The same exceptions as exact addresses, for request-filtering-agent's `allowIPAddressList`. */
  readonly exceptions: readonly string[];
}

/** A connection refused by the address policy; `address` is for logs, not for API users. */
export class BlockedAddressError extends Error {
  readonly address: string;

  constructor(address: string, hostname?: string) {
    super(`Connection to ${address}${hostname && hostname !== address ? ` (resolved from ${hostname})` : ''} is not allowed: not a public address`);
    this.name = 'BlockedAddressError';
    this.address = address;
  }
}

const LOOPBACK = ['127.0.0.1', '::1'];

/** IANA special-purpose IPv4 blocks that are not globally reachable, plus multicast and 240/4 (which holds 255.255.255.255). */
const NON_PUBLIC_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/**
 * Carve-outs of 2000::/3: IETF protocol assignments (Teredo, benchmarking, ORCHID), documentation,
 * and 6to4, which tunnels to an embedded IPv4 address that could be private.
 */
const NON_PUBLIC_GLOBAL_V6: [string, number][] = [
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['3fff::', 20],
];

const nonPublicV4 = subnets(NON_PUBLIC_V4, 'ipv4');
const globalUnicastV6 = subnets([['2000::', 3]], 'ipv6');
const nonPublicGlobalV6 = subnets(NON_PUBLIC_GLOBAL_V6, 'ipv6');

/**
 * True for a globally reachable unicast address. IPv6 must lie in global unicast 2000::/3, so
 * loopback, unspecified, unique-local, link-local, multicast, IPv4-mapped, IPv4-compatible and
 * NAT64 forms are all outside it.
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !nonPublicV4.check(address, 'ipv4');
  // A zone index only ever names a link-local scope.
  if (family === 6 && !address.includes('%')) return globalUnicastV6.check(address, 'ipv6') && !nonPublicGlobalV6.check(address, 'ipv6');
  return false;
}

/** Public addresses, plus loopback and exact addresses only when asked for. */
export function createAddressPolicy(options: AddressPolicyOptions = {}): AddressPolicy {
  const exceptions = [...(options.allowLoopback ? LOOPBACK : []), ...(options.allowAddresses ?? [])];
  // One list per family: BlockList matches IPv4 rules against IPv4-mapped IPv6 addresses, which must stay refused.
  const allowedV4 = new BlockList();
  const allowedV6 = new BlockList();
  for (const address of exceptions) {
    const family = isIP(address);
    if (family === 0) throw new Error(`Not an IP address in the allow list: ${address}`);
    if (family === 4) allowedV4.addAddress(address, 'ipv4');
    else allowedV6.addAddress(address, 'ipv6');
  }
  return {
    exceptions,
    permits(address) {
      const family = isIP(address);
      if (family === 4 && allowedV4.check(address, 'ipv4')) return true;
      if (family === 6 && allowedV6.check(address, 'ipv6')) return true;
      return isPublicAddress(address);
    },
  };
}

/** One address-checked agent per URL scheme. */
export interface CheckedAgents {
  'http:': RequestFilteringHttpAgent;
  'https:': RequestFilteringHttpsAgent;
}

/**
 * http and https agents that check the address when a socket connects, in two layers:
 * request-filtering-agent's own check (IP literal hosts and every DNS answer) and this policy's
 * (the same places, run first). Because the check sits in the agent, every redirect hop and every
 * fresh DNS answer is covered, so DNS rebinding cannot slip past it.
 */
export function createCheckedAgents(policy: AddressPolicy, agentOptions: HttpsAgentOptions = {}): CheckedAgents {
  const options = { ...agentOptions, allowIPAddressList: [...policy.exceptions] };
  return {
    'http:': new (class extends RequestFilteringHttpAgent {
      override createConnection(connectOptions: TcpNetConnectOpts, listener?: ConnectionListener) {
        return checkedConnection(policy, connectOptions, listener, (checked) => super.createConnection(checked, listener));
      }
    })(options),
    'https:': new (class extends RequestFilteringHttpsAgent {
      override createConnection(connectOptions: TcpNetConnectOpts, listener?: ConnectionListener) {
        return checkedConnection(policy, connectOptions, listener, (checked) => super.createConnection(checked, listener));
      }
    })(options),
  };
}

type ConnectionListener = (error: Error | null, socket: Duplex) => void;

function checkedConnection<T>(
  policy: AddressPolicy,
  options: TcpNetConnectOpts,
  listener: ConnectionListener | undefined,
  connect: (options: TcpNetConnectOpts) => T,
): T | Socket {
  const host = options.host;
  // node:net does not call `lookup` for an IP literal, so it is checked here.
  if (host !== undefined && isIP(host) !== 0 && !policy.permits(host)) {
    const socket = new Socket();
    const error = new BlockedAddressError(host);
    if (listener) listener(error, socket);
    else socket.destroy(error);
    return socket;
  }
  return connect({ ...options, lookup: checkedLookup(policy, options.lookup ?? dnsLookup) });
}

function checkedLookup(policy: AddressPolicy, lookup: LookupFunction | typeof dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    (lookup as LookupFunction)(hostname, options, (error, result, family) => {
      if (error) return callback(error, result, family);
      const answers: LookupAddress[] = typeof result === 'string' ? [{ address: result, family: family ?? isIP(result) }] : result;
      const refused = answers.find((answer) => !policy.permits(answer.address));
      if (refused) return callback(new BlockedAddressError(refused.address, hostname), result, family);
      return callback(null, result, family);
    });
  };
}

function subnets(ranges: [string, number][], family: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, family);
  return list;
}
