// What caused each line of a container's /etc/hosts and /etc/resolv.conf, for source maps. A hosts line
// is one of Docker's defaults, an --add-host, a link, one of the container's own addresses or a peer;
// a resolv.conf line comes from the container's dns settings, else the daemon's, else the host's file
// (candidates: the first the input has applies), or from Docker itself (its header, the embedded DNS).
import { implicit, type Origin } from '../../diagnostics/origin.ts';
import type { ContainerNode, Topology } from '../../topology/types.ts';
import type { FileOrigins, LineOrigin } from '../renderer.ts';
import { addrString } from '../../net/index.ts';
import { EMBEDDED_DNS_ADDRESS } from '../resolvconf/index.ts';
import { NAME_RESOLUTION_HOSTS_NOTE } from '../resolvconf/index.ts';
import { containerHostsLineKinds, NAME_RESOLUTION_HOSTS_PEERS_NOTE } from './container.ts';

const DAEMON = implicit('daemon default');

/** Where the container's own settings are written (its YAML path), when it has one. */
const pathOf = (o: Origin): readonly (string | number)[] | undefined => (Array.isArray(o) ? (o as readonly (string | number)[]) : undefined);

/** The host's `key` (resolv_conf, etc_hosts) in the single-host or the several-hosts form, else what the host has. */
const hostKey = (t: Topology, key: string): LineOrigin => ({ firstOf: [['hosts', t.host, key], ['host', key], implicit('host default')] });

export function hostsOrigins(c: ContainerNode, t: Topology): FileOrigins {
  const own = pathOf(c.origin);
  if (c.hosts.kind === 'host-copy' && c.hosts.extraHosts.length === 0) {
    return c.hosts.etcHosts.split('\n').slice(0, -1).map(() => [hostKey(t, 'etc_hosts')]);
  }
  const spec = c.hosts.kind === 'built' ? c.hosts.spec : { ipv6Enabled: true, extraHosts: c.hosts.extraHosts, own: [], links: [] };
  const endpointOf = new Map(t.endpoints.flatMap((e) => [...(e.ipv4 ? [[e.ipv4, e.origin] as const] : []), ...(e.ipv6 ? [[e.ipv6, e.origin] as const] : [])]));
  return containerHostsLineKinds(spec).map((k): LineOrigin[] => {
    switch (k.kind) {
      case 'default':
        return [DAEMON];
      case 'note':
        return [['name_resolution']];
      case 'extra':
        return [own ? { firstOf: [[...own, 'extra_hosts', k.record.names[0]!], [...own, 'extra_hosts'], c.origin] } : c.origin];
      case 'link':
        return [own ? { firstOf: [[...own, 'links'], c.origin] } : c.origin];
      case 'own':
        return [endpointOf.get(k.record.ip) ?? c.origin];
      case 'peer':
        return [{ firstOf: [...(endpointOf.has(k.record.ip) ? [endpointOf.get(k.record.ip)!] : []), ['containers', k.record.names[0]!], ['name_resolution']] }];
    }
  });
}

/** A resolv.conf line's origin, from what it says. */
function resolvLine(line: string, c: ContainerNode, t: Topology, hostText: string): LineOrigin {
  const own = pathOf(c.origin) ?? [];
  const setting = (ownKey: string, daemonKey: string, fallback: Origin): LineOrigin => ({
    firstOf: [[...own, ownKey], ['daemon', daemonKey], ...(hostKey(t, 'resolv_conf') as { firstOf: Origin[] }).firstOf.slice(0, 2), fallback],
  });
  if (line === NAME_RESOLUTION_HOSTS_NOTE || line === NAME_RESOLUTION_HOSTS_PEERS_NOTE) return ['name_resolution'];
  if (line.startsWith('#') || line.trim() === '') return DAEMON;
  const [word, value] = line.split(/\s+/);
  if (word === 'nameserver') {
    if (value === addrString(EMBEDDED_DNS_ADDRESS)) return implicit('embedded dns');
    // Docker's fallback servers when the host's file has none it can use.
    return setting('dns', 'dns', hostText.includes(value ?? '') ? implicit('host default') : DAEMON);
  }
  if (word === 'search') return setting('dns_search', 'dns-search', implicit('host default'));
  // ndots:0 is what the embedded DNS needs (TransformForIntNS); other options come from the settings or the host's file.
  if (word === 'options' && line.includes('ndots:0') && c.resolvConf.mode === 'internal') return { firstOf: [[...own, 'dns_opt'], ['daemon', 'dns-opts'], implicit('embedded dns')] };
  if (word === 'options') return setting('dns_opt', 'dns-opts', implicit('host default'));
  return hostKey(t, 'resolv_conf');
}

export function resolvConfOrigins(c: ContainerNode, t: Topology, text: string): FileOrigins {
  const hostText = c.resolvConf.hostResolvConf ?? '';
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => [resolvLine(line, c, t, hostText)]);
}
