// Pieces of a network's definition that every driver reads the same way: where it is created, its
// driver options, its MTU, its address families and their ipam config entries.
import { error, warning, type Diagnostic, type YamlPath } from '../diagnostics/diagnostic.ts';
import { addrString, parseAddr, parseIP, parsePrefix } from '../net/index.ts';
import { parseGoBool } from './go-bool.ts';
import { DEFAULT_MTU } from './network-defaults.ts';
import type { IpamConfigEntry } from './types.ts';

type Raw = Record<string, unknown>;

/** `hosts:` of a local network: where it is created (absent: every host). */
export const onHosts = (raw: Raw): { onHosts?: readonly string[] } => (Array.isArray(raw['hosts']) ? { onHosts: (raw['hosts'] as unknown[]).map(String) } : {});

/** `labels:` as a list of KEY=VALUE or a mapping. */
export function labels(raw: Raw): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(raw['labels'])) for (const l of raw['labels'] as string[]) out[l.split('=')[0]!] = l.split('=').slice(1).join('=');
  else if (raw['labels'] && typeof raw['labels'] === 'object') for (const [k, v] of Object.entries(raw['labels'] as Raw)) out[k] = String(v);
  return out;
}

/**
 * A network's driver options in effect (driver_opts over `defaults`, the daemon's default-network-opts
 * for a bridge) and where each was written. The readers parse a value as the drivers do and report what
 * they cannot read into `diagnostics`, falling back to the default.
 */
export class DriverOptions {
  readonly values: Record<string, string>;
  private readonly written: Raw;

  constructor(
    private readonly networkPath: YamlPath,
    raw: Raw,
    readonly diagnostics: Diagnostic[],
    private readonly defaults: { readonly values: Readonly<Record<string, string>>; readonly path: YamlPath } = { values: {}, path: [] },
  ) {
    this.written = (raw['driver_opts'] ?? {}) as Raw;
    this.values = { ...defaults.values };
    for (const [k, v] of Object.entries(this.written)) this.values[k] = String(v);
  }

  /** A warning for each option written that is not in `known` (the driver ignores it). */
  warnUnknown(known: ReadonlySet<string>, message: (key: string) => string): void {
    for (const k of Object.keys(this.written)) {
      if (!known.has(k)) this.diagnostics.push(warning('IGNORED', this.where(k), message(k), { atKey: true }));
    }
  }

  where(k: string): YamlPath {
    return k in this.written ? [...this.networkPath, 'driver_opts', k] : [...this.defaults.path, k];
  }

  /** Where each option in effect was written (Network.optionPaths). */
  paths(): Record<string, YamlPath> {
    return Object.fromEntries(Object.keys(this.values).map((k) => [k, this.where(k)]));
  }

  /** A boolean as Go's strconv.ParseBool reads it. */
  bool(k: string, dflt: boolean): boolean {
    const v = this.values[k];
    if (v === undefined) return dflt;
    const b = parseGoBool(v);
    if (b === undefined) {
      this.diagnostics.push(error('BAD_OPTION', this.where(k), `"${v}" is not a boolean; expected true or false (or 1/0, t/f)`));
      return dflt;
    }
    return b;
  }

  /** One of `allowed`; empty is the default. `what` names the option in the message. */
  choice<T extends string>(k: string, allowed: readonly T[], dflt: T, what = k): T {
    const v = this.values[k];
    if (v === undefined || v === '') return dflt;
    if (!allowed.includes(v as T)) {
      this.diagnostics.push(error('BAD_OPTION', this.where(k), `unknown ${what} "${v}"; expected one of ${allowed.join(', ')}`));
      return dflt;
    }
    return v as T;
  }

  /** An IP address, canonical; read with net.ParseIP, as the bridge driver reads its options (bridge_linux.go networkConfiguration.fromLabels). */
  address(k: string): string | undefined {
    const v = this.values[k];
    if (v === undefined) return undefined;
    const a = parseIP(v);
    if (!a) this.diagnostics.push(error('BAD_ADDRESS', this.where(k), `"${v}" is not an IP address`));
    return a && addrString(a);
  }

  /** com.docker.network.driver.mtu, the network's MTU (default 1500). */
  mtu(): number {
    const k = 'com.docker.network.driver.mtu';
    const t = this.values[k];
    if (t === undefined) return DEFAULT_MTU;
    if (!/^\d+$/.test(t)) {
      this.diagnostics.push(error('BAD_OPTION', this.where(k), `"${t}" is not an integer MTU`));
      return DEFAULT_MTU;
    }
    return Number(t);
  }
}

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

/** A network with no address family, or an IPv6 subnet without IPv6, cannot be created. */
export function checkFamilies(path: YamlPath, enableIPv4: boolean, enableIPv6: boolean, ipamV6: readonly IpamConfigEntry[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!enableIPv4 && !enableIPv6) out.push(error('BAD_OPTION', [...path, 'enable_ipv4'], 'a network needs IPv4 or IPv6 enabled'));
  if (!enableIPv6 && ipamV6.length > 0) out.push(error('IPV6_DISABLED', ipamV6[0]!.path, 'an IPv6 subnet needs enable_ipv6: true on the network'));
  return out;
}
