// The data of moby's internal/resolvconf package (daemon/libnetwork/internal/resolvconf/resolvconf.go,
// Docker 29): a parsed resolv.conf plus the metadata that becomes the trailing comment block. moby's
// ResolvConf is a mutable struct with methods; here it is an immutable value and every method is a
// pure function returning a new value (see modify.ts, transform.ts, generate.ts).
import type { Addr } from '../../net/index.ts';
import { addrString } from '../../net/index.ts';

/** Where the effective ndots option came from ("# Option ndots from: ..."); '' = no ndots option. */
export type NDotsFrom = '' | 'host' | 'override' | 'internal';

/** The transform applied, shown after the source path: "# Based on host file: '...' (legacy)". */
export type Transform = '' | 'legacy' | 'internal resolver';

/**
 * A nameserver taken out of the file by transformForIntNS, for the embedded resolver to forward to
 * (moby's ExtDNSEntry). hostLoopback: read from the host's file, so contacted from the host's
 * network namespace (127.0.0.53 works); false for --dns servers, contacted from the container's.
 */
export interface ExtDNSEntry {
  readonly addr: Addr;
  readonly hostLoopback: boolean;
}

/** ExtDNSEntry.String(): "host(10.0.0.1)" for host servers, the bare address for overrides. */
export const extDNSEntryString = (e: ExtDNSEntry): string =>
  e.hostLoopback ? `host(${addrString(e.addr)})` : addrString(e.addr);

export interface Metadata {
  readonly sourcePath: string;
  /** Written verbatim, then a blank line, at the top of the generated file (when non-empty). */
  readonly header: string;
  readonly nsOverride: boolean;
  readonly searchOverride: boolean;
  readonly optionsOverride: boolean;
  readonly ndotsFrom: NDotsFrom;
  readonly transform: Transform;
  /** nameserver values that are not addresses, as written. */
  readonly invalidNSs: readonly string[];
  readonly extNameServers: readonly ExtDNSEntry[];
  readonly warnings: readonly string[];
}

export interface ResolvConf {
  readonly nameServers: readonly Addr[];
  readonly search: readonly string[];
  readonly options: readonly string[];
  /** Unrecognised lines from the source file, copied verbatim. */
  readonly other: readonly string[];
  readonly md: Metadata;
}

/** The zero value, as moby's `ResolvConf{}` (what Load returns for a file that does not exist). */
export const emptyResolvConf = (sourcePath = ''): ResolvConf => ({
  nameServers: [],
  search: [],
  options: [],
  other: [],
  md: {
    sourcePath,
    header: '',
    nsOverride: false,
    searchOverride: false,
    optionsOverride: false,
    ndotsFrom: '',
    transform: '',
    invalidNSs: [],
    extNameServers: [],
    warnings: [],
  },
});

/** Errors Docker would fail the container start with; codes are stable, messages are moby's. */
export type ResolvConfErrorCode = 'LINE_TOO_LONG' | 'BAD_DNS_ADDRESS' | 'BAD_NDOTS';

export class ResolvConfError extends Error {
  constructor(
    readonly code: ResolvConfErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ResolvConfError';
  }
}
