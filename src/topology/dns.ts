// What each container's /etc/hosts and /etc/resolv.conf are made of (the renderers turn these specs
// into Docker's exact bytes). Docker 29: sandbox_dns_unix.go, container_operations_unix.go. For Docker
// <= 27 the specs also say which release to reproduce: /etc/hosts spells fe00::0 and ff00::0 (v27.5.1
// libnetwork/etchosts/etchosts.go), and resolv.conf depends on the order of the joins (legacy.ts).
import { type Diagnostic, error } from '../diagnostics/diagnostic.ts';
import { isDefaultBridge, isIngress } from '../model/network-types.ts';
import { engineRelease } from '../model/engine.ts';
import type { Container, Model } from '../model/types.ts';
import { GATEWAY_BRIDGE } from '../model/swarm-networks.ts';
import {
  endpointHostsRecords,
  extraHostRecords,
  hostnameRecordNames,
  HostsError,
  linkHostsRecords,
  type HostsRecord,
} from './hosts-records.ts';
import type { ContainerResolvConfSpec } from './resolvconf-spec.ts';
import type { ContainerNode, Endpoint } from './types.ts';

export interface DnsContext {
  readonly model: Model;
  /** All endpoints of the host, in join order. */
  readonly endpoints: readonly Endpoint[];
  /** The same endpoints by container and by network (built once: lookups per container stay O(1)). */
  readonly byContainer: ReadonlyMap<string, readonly Endpoint[]>;
  readonly byNetwork: ReadonlyMap<string, readonly Endpoint[]>;
  /** The default bridge's gateway addresses (host-gateway), v4 then v6. */
  readonly hostGatewayIPs: readonly string[];
  readonly defaultBridge?: string;
  /** Containers and networks by name (built once, not per container: 100,000 containers stay linear). */
  readonly containers: ReadonlyMap<string, Container>;
  readonly networks: ReadonlyMap<string, Model['networks'][number]>;
  /**
   * Each endpoint's records as a peer sees it, made once and shared by every hosts file that names it:
   * a fleet's hosts files name hundreds of peers each, and their records would otherwise be copied per file.
   */
  readonly peerRecords: Map<Endpoint, readonly HostsRecord[]>;
}

/**
 * `remote`: endpoints of containers on other hosts (overlay networks only) and every container of the
 * model by name (built once per compile, not per host), so that hosts files name peers on a shared
 * overlay wherever they run.
 */
export function dnsContext(
  model: Model,
  endpoints: readonly Endpoint[],
  hostGatewayIPs: readonly string[],
  remote?: { readonly endpoints: readonly Endpoint[]; readonly containers: ReadonlyMap<string, Container> },
): DnsContext {
  const byContainer = new Map<string, Endpoint[]>();
  const byNetwork = new Map<string, Endpoint[]>();
  const add = (map: Map<string, Endpoint[]>, k: string, e: Endpoint) => {
    const list = map.get(k);
    if (list) list.push(e);
    else map.set(k, [e]);
  };
  for (const e of endpoints) {
    add(byContainer, e.container, e);
    add(byNetwork, e.network, e);
  }
  for (const e of remote?.endpoints ?? []) add(byNetwork, e.network, e);
  const def = model.networks.find(isDefaultBridge)?.name;
  return {
    model,
    endpoints,
    byContainer,
    byNetwork,
    hostGatewayIPs,
    ...(def ? { defaultBridge: def } : {}),
    containers: remote?.containers ?? new Map(model.containers.map((c) => [c.name, c])),
    networks: new Map(model.networks.map((n) => [n.name, n])),
    peerRecords: new Map(),
  };
}

const isUserNetwork = (ctx: DnsContext, network: string) => network !== ctx.defaultBridge;

/** /etc/hosts spells the IPv6 defaults fe00::0 and ff00::0 (EngineRelease.legacyHostsIPv6Spelling). */
const legacySpelling = (ctx: DnsContext): boolean => engineRelease(ctx.model.engine).legacyHostsIPv6Spelling;

/**
 * The names other containers find a container by on a user-defined network (buildEndpointDNSNames). A
 * swarm task is also found as `tasks.<service>`, and, with endpoint_mode dnsrr, by the service's name
 * (the embedded DNS answers both with the tasks' addresses; a VIP needs a load balancer hosts files lack).
 */
function dnsNames(c: Container, aliases: readonly string[]): string[] {
  const service = c.service ? [`tasks.${c.service}`, ...(c.endpointMode === 'dnsrr' ? [c.service] : [])] : [];
  return [...new Set([c.name, ...aliases, c.hostname, ...service])];
}

function extraHosts(ctx: DnsContext, c: Container, out: Diagnostic[]): HostsRecord[] {
  const recs: HostsRecord[] = [];
  for (const h of c.extraHosts) {
    try {
      recs.push(...extraHostRecords(h.name, h.address, ctx.hostGatewayIPs));
    } catch (e) {
      if (!(e instanceof HostsError)) throw e;
      out.push(error('BAD_ADDRESS', h.path, `${e.message}: host-gateway is the default bridge's gateway, and the default bridge is disabled`));
    }
  }
  return recs;
}

function resolvConfSpec(ctx: DnsContext, c: Container, eps: readonly Endpoint[]): ContainerResolvConfSpec {
  const d = ctx.model.daemon;
  const pick = (own: readonly string[] | undefined, daemon: readonly string[] | undefined) => (own && own.length > 0 ? own : daemon);
  const dns = pick(c.dns, d.dns);
  const dnsSearch = pick(c.dnsSearch, d.dnsSearch);
  const dnsOptions = pick(c.dnsOptions, d.dnsOptions);
  const mode: ContainerResolvConfSpec['mode'] =
    c.mode.kind === 'host' ? 'host' : c.mode.kind === 'none' ? 'none' : eps.some((e) => isUserNetwork(ctx, e.network)) ? 'internal' : 'legacy';
  const first = eps[0];
  const last = eps[eps.length - 1];
  const release = engineRelease(ctx.model.engine).resolvConf;
  const ipv6Of = (network: string): boolean => ctx.networks.get(network)?.enableIPv6 ?? false;
  return {
    ...(release !== 'current'
      ? { engine: release, joins: eps.map((e) => ({ embeddedDns: isUserNetwork(ctx, e.network), ipv6: ipv6Of(e.network) })) }
      : {}),
    mode,
    // The source file is chosen by the network the container was created on (its first one).
    ...(mode === 'internal' && first && !isUserNetwork(ctx, first.network) ? { originMode: 'legacy' as const } : {}),
    hostResolvConf: ctx.model.host.resolvConf ?? '',
    hostResolvConfPath: '/etc/resolv.conf',
    ...(ctx.model.host.resolvConfSystemd !== undefined ? { systemdResolvConf: ctx.model.host.resolvConfSystemd } : {}),
    ipv6: last ? last.ipv6 !== undefined : false,
    ...(dns ? { dns } : {}),
    ...(dnsSearch ? { dnsSearch } : {}),
    ...(dnsOptions ? { dnsOptions } : {}),
    nameResolution: ctx.model.nameResolution,
  };
}

/** The records naming `other` in its peers' hosts files: none for the ingress_sbox, which has no container. */
function peerRecords(ctx: DnsContext, other: Endpoint): readonly HostsRecord[] {
  let recs = ctx.peerRecords.get(other);
  if (recs) return recs;
  const oc = ctx.containers.get(other.container);
  const n = oc ? dnsNames(oc, other.aliases) : [];
  recs = !oc ? [] : [...(other.ipv4 ? [{ ip: other.ipv4, names: n }] : []), ...(other.ipv6 ? [{ ip: other.ipv6, names: [...n] }] : [])];
  ctx.peerRecords.set(other, recs);
  return recs;
}

export function containerDns(ctx: DnsContext, c: Container, out: Diagnostic[]): Pick<ContainerNode, 'hosts' | 'resolvConf'> {
  const eps = ctx.byContainer.get(c.name) ?? [];
  const extra = extraHosts(ctx, c, out);
  if (c.mode.kind === 'host' && ctx.model.host.etcHosts !== undefined) {
    // With --add-host the file is built (hostNetworkHosts); spelt the old way, it is spelled out here.
    if (extra.length > 0 && legacySpelling(ctx)) {
      return { hosts: { kind: 'built', spec: { ipv6Enabled: true, extraHosts: extra, own: [], links: [], legacyIPv6Spelling: true } }, resolvConf: resolvConfSpec(ctx, c, eps) };
    }
    return { hosts: { kind: 'host-copy', etcHosts: ctx.model.host.etcHosts, extraHosts: extra }, resolvConf: resolvConfSpec(ctx, c, eps) };
  }
  const names = hostnameRecordNames(c.hostname, c.domainname);
  const own = eps.flatMap((e) => endpointHostsRecords(names, { ...(e.ipv4 ? { ipv4: e.ipv4 } : {}), ...(e.ipv6 ? { ipv6: e.ipv6 } : {}), network: e.network }));
  const byName = ctx.containers;
  const links = c.links.flatMap((l) => {
    const child = byName.get(l.container);
    const ep = (ctx.byContainer.get(l.container) ?? []).find((e) => !isUserNetwork(ctx, e.network));
    if (!child || !ep) return [];
    return linkHostsRecords({ alias: l.alias, childHostname: child.hostname, childName: child.name, ...(ep.ipv4 ? { ipv4: ep.ipv4 } : {}), ...(ep.ipv6 ? { ipv6: ep.ipv6 } : {}) });
  });
  let peers: HostsRecord[] | undefined;
  if (ctx.model.nameResolution === 'hosts') {
    // Every other container on each user-defined network this one is on, by name, aliases and hostname.
    peers = [];
    // Not on docker_gwbridge or ingress: Docker resolves no names there (their endpoints are anonymous).
    const named = (network: string) => {
      const n = ctx.networks.get(network);
      return isUserNetwork(ctx, network) && network !== GATEWAY_BRIDGE && !(n && isIngress(n));
    };
    for (const mine of eps.filter((e) => named(e.network))) {
      for (const other of ctx.byNetwork.get(mine.network) ?? []) {
        if (other.container !== c.name) peers.push(...peerRecords(ctx, other));
      }
    }
  }
  return {
    hosts: {
      kind: 'built',
      spec: { ipv6Enabled: true, extraHosts: extra, own, links, ...(peers ? { peers } : {}), ...(legacySpelling(ctx) ? { legacyIPv6Spelling: true } : {}) },
    },
    resolvConf: resolvConfSpec(ctx, c, eps),
  };
}
