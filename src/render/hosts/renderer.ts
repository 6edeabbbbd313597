// Each container's /etc/hosts and /etc/resolv.conf, as Docker writes them into the container.
import type { Topology } from '../../topology/types.ts';
import type { FileContent, Renderer } from '../renderer.ts';
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

export const containerFilesRenderer: Renderer = { name: 'container files', files: containerFiles };
