// Building the records Docker 29 puts in a container's /etc/hosts, each from the code that makes it:
//   - own addresses: Sandbox.makeHostsRecs (daemon/libnetwork/sandbox_dns_unix.go) over
//     Endpoint.getEtcHostsAddrs (endpoint.go);
//   - --add-host: buildSandboxOptions (daemon/container_operations.go);
//   - legacy links: Daemon.addLegacyLinks (daemon/container_operations_unix.go).
import { type Addr, addrString, parseAddr, unmap } from '../net/index.ts';

/** One /etc/hosts line: an address and its names (written space-separated). */
export interface HostsRecord {
  ip: string;
  names: string[];
}

export type HostsErrorCode = 'BAD_ADDRESS' | 'NO_HOST_GATEWAY';

export class HostsError extends Error {
  constructor(
    readonly code: HostsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HostsError';
  }
}

export function parseHostsAddr(ip: string): Addr {
  const a = parseAddr(ip);
  if (!a) throw new HostsError('BAD_ADDRESS', `invalid IP address in /etc/hosts record: ${JSON.stringify(ip)}`);
  return a;
}

/**
 * The names of the container's own records (makeHostsRecs): "<hostname>[.<domainname>]", and when
 * that contains a dot, also the part before the first dot: "c1.invalid c1".
 */
export function hostnameRecordNames(hostname: string, domainname?: string): string[] {
  const fqdn = domainname ? `${hostname}.${domainname}` : hostname;
  const dot = fqdn.indexOf('.');
  return dot < 0 ? [fqdn] : [fqdn, fqdn.slice(0, dot)];
}

/** The network name Docker never writes hosts entries for (libnGWNetwork). */
export const DOCKER_GWBRIDGE = 'docker_gwbridge';

export interface EndpointAddresses {
  /** The endpoint's IPv4 address, if any (written unmapped). */
  ipv4?: string;
  /** The endpoint's IPv6 address, if it kept one. */
  ipv6?: string;
  /** The network's name; docker_gwbridge endpoints get no entries. */
  network?: string;
  /** The swarm ingress network gets no entries either. */
  ingress?: boolean;
}

/** One endpoint's own records (getEtcHostsAddrs + makeHostsRecs): IPv4 first, then IPv6. */
export function endpointHostsRecords(names: readonly string[], ep: EndpointAddresses): HostsRecord[] {
  if (ep.ingress || ep.network === DOCKER_GWBRIDGE) return [];
  const addrs: Addr[] = [];
  if (ep.ipv4 !== undefined) addrs.push(unmap(parseHostsAddr(ep.ipv4)));
  if (ep.ipv6 !== undefined) addrs.push(parseHostsAddr(ep.ipv6));
  return addrs.map((a) => ({ ip: addrString(a), names: [...names] }));
}

/**
 * The records of one --add-host name:address. 'host-gateway' expands to every host-gateway address
 * (the daemon's host-gateway-ips, by default the default bridge's gateway(s)); addresses are unmapped
 * (::ffff:1.2.3.4 is written 1.2.3.4).
 */
export function extraHostRecords(name: string, address: string, hostGatewayIPs: readonly string[] = []): HostsRecord[] {
  if (address === 'host-gateway') {
    if (hostGatewayIPs.length === 0) throw new HostsError('NO_HOST_GATEWAY', 'unable to derive the IP value for host-gateway');
    return hostGatewayIPs.map((ip) => ({ ip: addrString(unmap(parseHostsAddr(ip))), names: [name] }));
  }
  return [{ ip: addrString(unmap(parseHostsAddr(address))), names: [name] }];
}

export interface LinkTarget {
  /** The alias the link was given (--link child:alias; the child's name when no alias). */
  alias: string;
  /** The child container's hostname. */
  childHostname: string;
  /** The child container's name (without the leading '/'). */
  childName: string;
  /** The child's addresses on the default bridge. */
  ipv4?: string;
  ipv6?: string;
}

/**
 * The records of one legacy link (addLegacyLinks): "<alias> <child hostname>", plus the child's name
 * when it differs from the alias; one record for the IPv4 address (unmapped), one for the IPv6.
 */
export function linkHostsRecords(link: LinkTarget): HostsRecord[] {
  const names = [link.alias, link.childHostname, ...(link.alias !== link.childName ? [link.childName] : [])];
  const recs: HostsRecord[] = [];
  if (link.ipv4 !== undefined) recs.push({ ip: addrString(unmap(parseHostsAddr(link.ipv4))), names });
  if (link.ipv6 !== undefined) recs.push({ ip: addrString(parseHostsAddr(link.ipv6)), names: [...names] });
  return recs;
}

export interface ContainerHostsSpec {
  /** false only when the container definitely has IPv6 disabled (e.g. sysctl disable_ipv6=1). */
  ipv6Enabled: boolean;
  /** --add-host in order, host-gateway already expanded (see extraHostRecords). */
  extraHosts: readonly HostsRecord[];
  /** The container's own addresses, per endpoint in join order (see endpointHostsRecords). */
  own: readonly HostsRecord[];
  /** Legacy links (see linkHostsRecords). Written after extraHosts, before own. */
  links: readonly HostsRecord[];
  /** netform `name_resolution: hosts`: other containers on shared user-defined networks. */
  peers?: readonly HostsRecord[];
  /** fe00::0 / ff00::0 as Docker <= 27 wrote them; default false (Docker 28+: fe00::, ff00::). */
  legacyIPv6Spelling?: boolean;
}
