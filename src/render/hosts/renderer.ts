// Each container's /etc/hosts and /etc/resolv.conf, as Docker writes them into the container.
import type { Topology } from '../../topology/types.ts';
import type { FileContent, FileOrigins, Renderer } from '../renderer.ts';
import { hostsOrigins, resolvConfOrigins } from './origins.ts';
import { containerResolvConf } from '../resolvconf/index.ts';
import { containerHosts, hostNetworkHosts } from './container.ts';

function* containerFiles(t: Topology): Generator<readonly [string, FileContent]> {
  for (const c of t.containers) {
    if (c.sandbox) continue; // Docker's own namespace (ingress_sbox): no files
    const hosts = c.hosts.kind === 'built' ? containerHosts(c.hosts.spec) : hostNetworkHosts(c.hosts.etcHosts, [...c.hosts.extraHosts]);
    yield [`containers/${c.name}/hosts`, hosts];
    yield [`containers/${c.name}/resolv.conf`, containerResolvConf(c.resolvConf)];
  }
}

function* containerFileOrigins(t: Topology): Generator<readonly [string, FileOrigins]> {
  for (const c of t.containers) {
    if (c.sandbox) continue;
    yield [`containers/${c.name}/hosts`, hostsOrigins(c, t)];
    yield [`containers/${c.name}/resolv.conf`, resolvConfOrigins(c, t, containerResolvConf(c.resolvConf))];
  }
}

export const containerFilesRenderer: Renderer = { name: 'container files', files: containerFiles, origins: containerFileOrigins };
