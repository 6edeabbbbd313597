// TransformForLegacyNw and TransformForIntNS (Docker 29, internal/resolvconf/resolvconf.go), plus
// what the embedded resolver then does with the servers it was handed (resolver.go).
import { type Addr, addrEqual, is6, isLoopback, mustParseAddr } from '../../net/index.ts';
import { addOption, option } from './modify.ts';
import type { ExtDNSEntry, ResolvConf } from './types.ts';

/** Fallback nameservers when none are usable (defaultIPv4NSs / defaultIPv6NSs). */
export const DEFAULT_IPV4_NAMESERVERS: readonly Addr[] = [mustParseAddr('8.8.8.8'), mustParseAddr('8.8.4.4')];
export const DEFAULT_IPV6_NAMESERVERS: readonly Addr[] = [
  mustParseAddr('2001:4860:4860::8888'),
  mustParseAddr('2001:4860:4860::8844'),
];

/** The embedded resolver's address in every container (resolverIPSandbox, sandbox_dns_unix.go). */
export const EMBEDDED_DNS_ADDRESS: Addr = mustParseAddr('127.0.0.11');

/** Resolver.ResolverOptions() (resolver.go): what the embedded resolver requires in resolv.conf. */
export const EMBEDDED_DNS_REQUIRED_OPTIONS: readonly string[] = ['ndots:0'];

/** maxExtDNS (resolver.go): the embedded resolver forwards to at most this many servers. */
export const MAX_EXT_DNS = 3;

/**
 * TransformForLegacyNw: make the file usable where there is no embedded resolver (the default
 * bridge). Unless --dns was given (then the servers are kept exactly as given): drop loopback
 * servers (they only answer in the host's namespace) and IPv6 ones when !ipv6; if none are left,
 * use 8.8.8.8 and 8.8.4.4 (+ 2001:4860:4860::8888 and ::8844 with IPv6) and say so in a comment.
 */
export function transformForLegacyNw(rc: ResolvConf, ipv6: boolean): ResolvConf {
  const md = { ...rc.md, transform: 'legacy' as const };
  if (rc.md.nsOverride) return { ...rc, md };
  const kept = rc.nameServers.filter((a) => !isLoopback(a) && (!is6(a) || ipv6));
  if (kept.length > 0) return { ...rc, nameServers: kept, md };
  return {
    ...rc,
    nameServers: [...DEFAULT_IPV4_NAMESERVERS, ...(ipv6 ? DEFAULT_IPV6_NAMESERVERS : [])],
    md: { ...md, warnings: [...md.warnings, 'Used default nameservers.'] },
  };
}

/**
 * removeInvalidNDots: drop "ndots" options without a value or whose value is not a non-negative
 * integer as strconv.Atoi reads it (optional sign, decimal digits, within int64).
 */
export function removeInvalidNDots(options: readonly string[]): string[] {
  return options.filter((opt) => {
    const colon = opt.indexOf(':');
    const key = colon < 0 ? opt : opt.slice(0, colon);
    if (key !== 'ndots') return true;
    if (colon < 0) return false;
    const v = opt.slice(colon + 1);
    if (!/^[+-]?[0-9]+$/.test(v)) return false;
    const n = BigInt(v);
    return n >= 0n && n <= 0x7fffffffffffffffn;
  });
}

/**
 * TransformForIntNS: for a container using the embedded resolver. Every current nameserver moves
 * to the external-server list (host(...) when it came from the host's file, bare when from --dns),
 * the file lists only `internalNS`, and each required option is added unless an option of that name
 * is already present (an ndots requirement first removes invalid ndots values). With no external
 * servers the comment says "NO EXTERNAL NAMESERVERS DEFINED". The comment lists every external
 * server; the resolver itself uses at most three (see embeddedResolverUpstreams).
 */
export function transformForIntNS(
  rc: ResolvConf,
  internalNS: Addr,
  reqdOptions: readonly string[],
): { rc: ResolvConf; extNameServers: ExtDNSEntry[] } {
  const extNameServers: ExtDNSEntry[] = rc.nameServers.map((addr) => ({ addr, hostLoopback: !rc.md.nsOverride }));
  let next: ResolvConf = { ...rc, nameServers: [internalNS], md: { ...rc.md, extNameServers } };
  for (const opt of reqdOptions) {
    const colon = opt.indexOf(':');
    const name = colon < 0 ? opt : opt.slice(0, colon);
    if (name === 'ndots') next = { ...next, options: removeInvalidNDots(next.options) };
    if (option(next, name) === undefined) next = addOption(next, opt);
  }
  const warnings = extNameServers.length === 0 ? [...next.md.warnings, 'NO EXTERNAL NAMESERVERS DEFINED'] : next.md.warnings;
  next = { ...next, md: { ...next.md, transform: 'internal resolver', warnings } };
  return { rc: next, extNameServers: [...extNameServers] };
}

/**
 * The servers the embedded resolver actually forwards to (Resolver.SetExtServers): its own address
 * is skipped when it came from --dns (not from the host's file), then the first MAX_EXT_DNS are kept.
 */
export function embeddedResolverUpstreams(
  extNameServers: readonly ExtDNSEntry[],
  listenAddress: Addr = EMBEDDED_DNS_ADDRESS,
): ExtDNSEntry[] {
  return extNameServers.filter((e) => e.hostLoopback || !addrEqual(e.addr, listenAddress)).slice(0, MAX_EXT_DNS);
}
