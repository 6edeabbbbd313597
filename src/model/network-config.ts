// Pieces of a network's definition that every driver reads the same way: where it is created and its
// ipam config entries.
import { error, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { parseAddr, parsePrefix } from '../net/index.ts';
import type { IpamConfigEntry } from './types.ts';

type Raw = Record<string, unknown>;

/** `hosts:` of a local network: where it is created (absent: every host). */
export const onHosts = (raw: Raw): { onHosts?: readonly string[] } => (Array.isArray(raw['hosts']) ? { onHosts: (raw['hosts'] as unknown[]).map(String) } : {});

export function ipamEntries(raw: Raw | undefined, path: YamlPath): { v4: IpamConfigEntry[]; v6: IpamConfigEntry[]; diagnostics: Diagnostic[] } {
  const v4: IpamConfigEntry[] = [];
  const v6: IpamConfigEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const config = Array.isArray(raw?.['config']) ? (raw!['config'] as Raw[]) : [];
  config.forEach((c, i) => {
    const p = [...path, 'ipam', 'config', i];
    const aux = c['aux_addresses'] && typeof c['aux_addresses'] === 'object' ? Object.entries(c['aux_addresses'] as Raw).map(([name, a]) => ({ name, address: String(a) })) : [];
    const entry: IpamConfigEntry = {
      ...(typeof c['subnet'] === 'string' ? { subnet: c['subnet'] } : {}),
      ...(typeof c['gateway'] === 'string' ? { gateway: c['gateway'] } : {}),
      ...(typeof c['ip_range'] === 'string' ? { ipRange: c['ip_range'] } : {}),
      auxAddresses: aux,
      path: p,
    };
    const fam = entry.subnet ? parsePrefix(entry.subnet)?.family : entry.gateway ? parseAddr(entry.gateway)?.family : entry.ipRange ? parsePrefix(entry.ipRange)?.family : undefined;
    if (fam === undefined) {
      diagnostics.push(error('BAD_PREFIX', p, 'an ipam config entry needs a subnet (or at least a gateway or ip_range) to tell its address family'));
      return;
    }
    (fam === 4 ? v4 : v6).push(entry);
  });
  return { v4, v6, diagnostics };
}
