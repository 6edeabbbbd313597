// Every output file of one host, as a map from relative path to content. The renderers are pure;
// the command line writes the map atomically.
import type { Topology } from '../../topology/types.ts';
import { containerHosts, hostNetworkHosts } from '../hosts/index.ts';
import { renderIptablesRestore } from '../iptables/index.ts';
import { containerResolvConf } from '../resolvconf/index.ts';
import { renderSetup, renderTeardown } from '../script/index.ts';

/** Files of one host, relative to the host's folder. Insertion order is the order they are listed. */
export function renderHostFiles(t: Topology, source: string): Map<string, string> {
  const files = new Map<string, string>();
  if (t.firewall.v4) files.set('iptables.rules', renderIptablesRestore(t.firewall.v4));
  if (t.firewall.v6) files.set('ip6tables.rules', renderIptablesRestore(t.firewall.v6));
  files.set('setup.sh', renderSetup(t, source));
  files.set('teardown.sh', renderTeardown(t, source));
  for (const c of t.containers) {
    const hosts = c.hosts.kind === 'built' ? containerHosts(c.hosts.spec) : hostNetworkHosts(c.hosts.etcHosts, [...c.hosts.extraHosts]);
    files.set(`containers/${c.name}/hosts`, hosts);
    files.set(`containers/${c.name}/resolv.conf`, containerResolvConf(c.resolvConf));
  }
  files.set('topology.json', `${JSON.stringify(t, null, 2)}\n`);
  return files;
}
