// A canonical `ports` entry (canonical.ts) in netform's input: the short syntax
// "[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]" when it says everything, the long syntax when the entry has a
// name or an app_protocol. `mode` is left out: it is a swarm setting, and docker compose publishes every
// port on the host whatever it says (create.go buildContainerPortBindingOptions reads target, protocol,
// host_ip and published only).
import type { Plain } from './fragment.ts';
import { text, type CNode } from './tree.ts';

export function portValue(p: CNode): Plain {
  if (p.kind !== 'map') return p.kind === 'scalar' ? p.value : null;
  const get = (k: string) => text(p.entries.get(k));
  const target = p.entries.get('target');
  const published = get('published');
  const hostIP = get('host_ip');
  const protocol = get('protocol') ?? 'tcp';
  if (get('name') !== undefined || get('app_protocol') !== undefined || target?.kind !== 'scalar' || typeof target.value !== 'number') {
    const long: { [key: string]: Plain } = {};
    for (const [k, v] of p.entries) if (k !== 'mode' && !(v.kind === 'scalar' && v.value === null)) long[k] = v.kind === 'scalar' ? v.value : null;
    return long;
  }
  const suffix = `${target.value}${protocol === 'tcp' ? '' : `/${protocol}`}`;
  const pub = published ?? '';
  if (hostIP !== undefined && hostIP !== '') return `${hostIP.includes(':') && !hostIP.startsWith('[') ? `[${hostIP}]` : hostIP}:${pub}:${suffix}`;
  return pub !== '' ? `${pub}:${suffix}` : suffix;
}
