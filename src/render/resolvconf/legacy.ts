// resolv.conf as older Docker releases write it.
//
// Docker 27 (v27.5.1 libnetwork/internal/resolvconf/resolvconf.go) already has the parser, the header,
// the comment block and TransformForLegacyNw of 29; only TransformForIntNS differs (transformForIntNS27).
//
// Docker 20.10 (v20.10.24 vendor/github.com/docker/libnetwork/resolvconf/resolvconf.go and
// sandbox_dns_unix.go) works on the file's text with regular expressions, and the file is the result of
// the sandbox's history:
//   setupDNS   (sandbox creation): a host-network container without --dns* gets a verbatim copy of
//              /etc/resolv.conf; with --dns/--dns-search/--dns-option the file is Build(nameservers,
//              search, options), each list the override or else the host file's; otherwise the host
//              file (resolvconf.Path(): /run/systemd/resolve/resolv.conf when /etc/resolv.conf's only
//              nameserver is 127.0.0.53) through FilterResolvDNS(ipv6=true).
//   updateDNS  (each endpoint join, not for host networking, not with --dns*): FilterResolvDNS with the
//              joining network's enable_ipv6, unless the file no longer matches its hash.
//   rebuildDNS (the first join of an endpoint that uses the embedded DNS): Build([127.0.0.11, the
//              file's IPv6 nameservers], the file's search, the file's options + ndots:0 unless the
//              file sets ndots). Build writes no hash, so later updateDNS calls leave the file alone.
// There is no header and no comment block; comments of the host file survive FilterResolvDNS.
import { addrString, is6, isLoopback, type Addr } from '../../net/index.ts';
import { DEFAULT_IPV4_NAMESERVERS, DEFAULT_IPV6_NAMESERVERS, removeInvalidNDots } from './transform.ts';
import { addOption, option } from './modify.ts';
import { type ExtDNSEntry, type ResolvConf, ResolvConfError } from './types.ts';

// ----- Docker 27 ------------------------------------------------------------------------------------

/**
 * TransformForIntNS as in v27.5.1: a server from the host file is contacted from the host's namespace
 * (host(...)) only when it cannot work in the container's (loopback, IPv6 without IPv6, zoned); with no
 * server at all the embedded resolver falls back to Google's (the comment says "Used default
 * nameservers.") instead of 29's "NO EXTERNAL NAMESERVERS DEFINED". `ipv6`: the container has an
 * endpoint on an IPv6 network (rebuildDNS).
 */
export function transformForIntNS27(
  rc: ResolvConf,
  ipv6: boolean,
  internalNS: Addr,
  reqdOptions: readonly string[],
): { rc: ResolvConf; extNameServers: ExtDNSEntry[] } {
  let extNameServers: ExtDNSEntry[] = rc.nameServers.map((addr) => ({
    addr,
    hostLoopback: !rc.md.nsOverride && (isLoopback(addr) || (is6(addr) && !ipv6) || addr.zone !== ''),
  }));
  let warnings = rc.md.warnings;
  if (extNameServers.length === 0) {
    extNameServers = [...DEFAULT_IPV4_NAMESERVERS, ...(ipv6 ? DEFAULT_IPV6_NAMESERVERS : [])].map((addr) => ({ addr, hostLoopback: false }));
    warnings = [...warnings, 'Used default nameservers.'];
  }
  let next: ResolvConf = { ...rc, nameServers: [internalNS], md: { ...rc.md, extNameServers, warnings } };
  for (const opt of reqdOptions) {
    const colon = opt.indexOf(':');
    const name = colon < 0 ? opt : opt.slice(0, colon);
    if (name === 'ndots') next = { ...next, options: removeInvalidNDots(next.options) };
    if (option(next, name) === undefined) next = addOption(next, opt);
  }
  next = { ...next, md: { ...next.md, transform: 'internal resolver' } };
  return { rc: next, extNameServers: [...extNameServers] };
}

// ----- Docker 20.10 ---------------------------------------------------------------------------------

/** Go's `\s` (RE2: [\t\n\f\r ]); JavaScript's is wider. */
const S = '[\\t\\n\\f\\r ]';
const IPV4_NUM = '(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)';
const IPV4 = `(${IPV4_NUM}\\.){3}${IPV4_NUM}`;
const IPV6 = '([0-9A-Fa-f]{0,4}:){2,7}([0-9A-Fa-f]{0,4})(%\\w+)?';
/** libnetwork/resolvconf/dns IPLocalhost. */
const IP_LOCALHOST = '((127\\.([0-9]{1,3}\\.){2}[0-9]{1,3})|(::1)$)';

const LOCALHOST_NS = new RegExp(`^nameserver${S}+${IP_LOCALHOST}${S}*\\n*`, 'gm');
const IPV6_NS = new RegExp(`^nameserver${S}+${IPV6}${S}*\\n*`, 'gm');
const NS_ANY = new RegExp(`^${S}*nameserver${S}*((${IPV4})|(${IPV6}))${S}*$`);
const NS_V6 = new RegExp(`^${S}*nameserver${S}*((${IPV6}))${S}*$`);
const SEARCH = new RegExp(`^${S}*search${S}*((\\S+${S}*)*)$`.replace(/\\S/g, '[^\\t\\n\\f\\r ]'));
const OPTIONS = new RegExp(`^${S}*options${S}*((\\S+${S}*)*)$`.replace(/\\S/g, '[^\\t\\n\\f\\r ]'));

const DEFAULT_V4 = DEFAULT_IPV4_NAMESERVERS.map((a) => `nameserver ${addrString(a)}`);
const DEFAULT_V6 = DEFAULT_IPV6_NAMESERVERS.map((a) => `nameserver ${addrString(a)}`);

/** getLines: split on "\n", each line cut at its first '#'. */
const lines = (text: string): string[] => text.split('\n').map((l) => (l.includes('#') ? l.slice(0, l.indexOf('#')) : l));
const fields = (s: string): string[] => s.split(/[\t\n\v\f\r ]+/).filter((f) => f !== '');

/** GetNameservers(kind IP or IPv6). */
export function getNameservers2010(text: string, kind: 'ip' | 'ipv6'): string[] {
  const re = kind === 'ip' ? NS_ANY : NS_V6;
  return lines(text).flatMap((l) => {
    const m = re.exec(l);
    return m ? [m[1]!] : [];
  });
}

/** GetSearchDomains / GetOptions: the last matching line wins. */
const lastList = (text: string, re: RegExp): string[] => {
  let out: string[] = [];
  for (const l of lines(text)) {
    const m = re.exec(l);
    if (m) out = fields(m[1] ?? '');
  }
  return out;
};
export const getSearchDomains2010 = (text: string): string[] => lastList(text, SEARCH);
export const getOptions2010 = (text: string): string[] => lastList(text, OPTIONS);

/** FilterResolvDNS: drop localhost nameserver lines (and IPv6 ones without IPv6); Google's if none is left. */
export function filterResolvDNS2010(text: string, ipv6: boolean): string {
  let out = text.replace(LOCALHOST_NS, '');
  if (!ipv6) out = out.replace(IPV6_NS, '');
  if (getNameservers2010(out, 'ip').length === 0) out += `\n${[...DEFAULT_V4, ...(ipv6 ? DEFAULT_V6 : [])].join('\n')}`;
  return out;
}

/** resolvconf.Build: search (unless it is just "."), nameservers, options (unless blank). */
export function build2010(dns: readonly string[], search: readonly string[], options: readonly string[]): string {
  let out = '';
  if (search.length > 0 && search.join(' ').replace(/^ +| +$/g, '') !== '.') out += `search ${search.join(' ')}\n`;
  for (const ns of dns) out += `nameserver ${ns}\n`;
  if (options.length > 0 && options.join(' ').replace(/^ +| +$/g, '') !== '') out += `options ${options.join(' ')}\n`;
  return out;
}

/** rebuildDNS for the embedded resolver at `resolver`; throws where dockerd refuses the ndots option. */
export function rebuildDNS2010(text: string, resolver: string, resolverOptions: readonly string[]): string {
  const dns = [resolver, ...getNameservers2010(text, 'ipv6')];
  const options = getOptions2010(text);
  const search = getSearchDomains2010(text);
  let ndotsSet = false;
  outer: for (const resOpt of resolverOptions) {
    if (!resOpt.includes('ndots')) continue;
    for (const opt of options) {
      if (!opt.includes('ndots')) continue;
      const parts = opt.split(':');
      if (parts.length !== 2) throw new ResolvConfError('BAD_NDOTS', `invalid ndots option ${opt}`);
      // strconv.Atoi: optional sign, decimal digits.
      if (!/^[+-]?[0-9]+$/.test(parts[1]!)) throw new ResolvConfError('BAD_NDOTS', `invalid number for ndots option: ${parts[1]}`);
      const n = Number(parts[1]);
      if (n < 0) throw new ResolvConfError('BAD_NDOTS', `invalid number for ndots option: ${n}`);
      ndotsSet = true;
      break outer;
    }
  }
  return build2010(dns, search, ndotsSet ? options : [...options, ...resolverOptions]);
}

/** resolvconf.Path() in 20.10: the systemd file when /etc/resolv.conf's only nameserver is the string "127.0.0.53". */
export function usesSystemdResolvConf2010(etcResolvConf: string): boolean {
  const ns = getNameservers2010(etcResolvConf, 'ip');
  return ns.length === 1 && ns[0] === '127.0.0.53';
}

export interface Sandbox2010 {
  /** Host networking (useDefaultSandBox). */
  readonly host: boolean;
  /** The origin file's text (null: it does not exist, read as empty). */
  readonly source: string | null;
  /** --dns / --dns-search / --dns-option (container's, else the daemon's); empty lists are unset. */
  readonly dns: readonly string[];
  readonly dnsSearch: readonly string[];
  readonly dnsOptions: readonly string[];
  /** The endpoints in join order: whether each starts the embedded DNS (user-defined network) and its network's enable_ipv6. */
  readonly joins: readonly { readonly embeddedDns: boolean; readonly ipv6: boolean }[];
  readonly resolver: string;
  readonly resolverOptions: readonly string[];
}

/** The file a Docker 20.10 container ends up with. */
export function resolvConf2010(sb: Sandbox2010): string {
  const overrides = sb.dns.length > 0 || sb.dnsSearch.length > 0 || sb.dnsOptions.length > 0;
  const origin = sb.source ?? '';
  if (sb.host && !overrides) return origin;
  let text: string;
  if (overrides) {
    text = build2010(
      sb.dns.length > 0 ? sb.dns : getNameservers2010(origin, 'ip'),
      sb.dnsSearch.length > 0 ? sb.dnsSearch : getSearchDomains2010(origin),
      sb.dnsOptions.length > 0 ? sb.dnsOptions : getOptions2010(origin),
    );
  } else {
    text = filterResolvDNS2010(origin, true);
  }
  if (sb.host) return text;
  let hashed = true;
  let resolverStarted = false;
  for (const j of sb.joins) {
    if (!overrides && hashed) text = filterResolvDNS2010(text, j.ipv6);
    if (j.embeddedDns && !resolverStarted) {
      text = rebuildDNS2010(text, sb.resolver, sb.resolverOptions);
      resolverStarted = true;
      hashed = false;
    }
  }
  return text;
}
