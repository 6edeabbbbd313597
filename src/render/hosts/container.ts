// A container's /etc/hosts, as `cat /etc/hosts` shows it in a Docker 29 container (and 28). Docker <= 27
// writes the same records with fe00::0 / ff00::0 (legacyIPv6Spelling); 20.10 has no IPv6-disabled variant,
// which netform never selects anyway (ipv6Enabled is always true in the topology).
//
// How Docker 29 gets there (daemon/libnetwork/sandbox_dns_unix.go, sandbox_linux.go, endpoint.go):
//   - the file is (re)built by buildHostsFile: 127.0.0.1 localhost, the IPv6 defaults unless the
//     container definitely has IPv6 disabled (IPv6Enabled: ::1 on its loopback), then the sandbox's
//     extraHosts: the --add-host entries, followed by legacy-link entries (addLegacyLinks calls
//     AddHostsEntry, which appends to extraHosts and rebuilds, before the default-bridge endpoint
//     joins). With IPv6 disabled, IPv6 records are left out (BuildNoIPv6).
//   - each endpoint that then joins appends its addresses (addHostsEntries -> etchosts.Add), IPv6
//     ones dropped when IPv6 is disabled; so own records come after links, per endpoint in join order.
//   - leaving a network deletes that endpoint's lines (etchosts.Delete): see deleteEtcHosts.
// netform `name_resolution: hosts` appends the peers after all of that, under one comment line.
import {
  type EtcHostsRecord,
  addEtcHosts,
  buildEtcHosts,
  buildEtcHostsNoIPv6,
  deleteEtcHosts,
  recordLine,
} from './etchosts.ts';
import { type ContainerHostsSpec, type HostsRecord, parseHostsAddr } from '../../topology/hosts-records.ts';
import { is6 } from '../../net/index.ts';

export type { ContainerHostsSpec };

/** The comment line before the peers in netform `name_resolution: hosts` mode (not Docker's). */
export const NAME_RESOLUTION_HOSTS_PEERS_NOTE = '# netform: name_resolution=hosts (peers on shared networks)';

const toEtc = (r: HostsRecord): EtcHostsRecord => ({ ip: parseHostsAddr(r.ip), hosts: r.names.join(' ') });

export function containerHosts(spec: ContainerHostsSpec): string {
  const keep = (r: EtcHostsRecord): boolean => spec.ipv6Enabled || !is6(r.ip);
  const extra = [...spec.extraHosts, ...spec.links].map(toEtc);
  let text = spec.ipv6Enabled ? buildEtcHosts(extra, spec.legacyIPv6Spelling) : buildEtcHostsNoIPv6(extra);
  text += spec.own.map(toEtc).filter(keep).map(recordLine).join('');
  const peers = (spec.peers ?? []).map(toEtc).filter(keep);
  if (peers.length > 0) text += `${NAME_RESOLUTION_HOSTS_PEERS_NOTE}\n${peers.map(recordLine).join('')}`;
  return text;
}

/** What made each line of containerHosts(spec), in order: Docker's defaults, --add-host, links, own addresses, peers. */
export type HostsLineKind =
  | { readonly kind: 'default' | 'note' }
  | { readonly kind: 'extra' | 'link' | 'own' | 'peer'; readonly record: HostsRecord };

export function containerHostsLineKinds(spec: ContainerHostsSpec): HostsLineKind[] {
  const keep = (r: HostsRecord): boolean => spec.ipv6Enabled || !is6(parseHostsAddr(r.ip));
  const defaults = (spec.ipv6Enabled ? buildEtcHosts([], spec.legacyIPv6Spelling) : buildEtcHostsNoIPv6([])).split('\n').length - 1;
  const out: HostsLineKind[] = Array.from({ length: defaults }, () => ({ kind: 'default' as const }));
  // BuildNoIPv6 leaves IPv6 records of --add-host and links out; Build keeps them all.
  for (const r of spec.extraHosts) if (keep(r)) out.push({ kind: 'extra', record: r });
  for (const r of spec.links) if (keep(r)) out.push({ kind: 'link', record: r });
  for (const r of spec.own) if (keep(r)) out.push({ kind: 'own', record: r });
  const peers = (spec.peers ?? []).filter(keep);
  if (peers.length > 0) out.push({ kind: 'note' }, ...peers.map((r) => ({ kind: 'peer' as const, record: r })));
  return out;
}

/**
 * `--network host`: a copy of the host's /etc/hosts, unless --add-host is used; then the file is
 * built as for any container, without own records (the host endpoint has no addresses of its own),
 * and IPv6 depends on the host (netutils.IsV6Listenable).
 */
export function hostNetworkHosts(hostEtcHosts: string, extraHosts: readonly HostsRecord[], hostIPv6 = true): string {
  if (extraHosts.length === 0) return hostEtcHosts;
  return containerHosts({ ipv6Enabled: hostIPv6, extraHosts, own: [], links: [] });
}

/**
 * An endpoint joining a running container (addHostsEntries): its records are appended to the current
 * file, IPv6 ones dropped when IPv6 is disabled.
 */
export const hostsAfterJoin = (content: string, own: readonly HostsRecord[], ipv6Enabled: boolean): string =>
  addEtcHosts(content, own.map(toEtc).filter((r) => ipv6Enabled || !is6(r.ip)));

/** An endpoint leaving (Endpoint.Leave -> deleteHostsEntries): its records' lines are deleted. */
export const hostsAfterLeave = (content: string, own: readonly HostsRecord[]): string => deleteEtcHosts(content, own.map(toEtc));
