// moby's etchosts package (Docker 29, daemon/libnetwork/etchosts/etchosts.go) over text instead of a
// file: Build, BuildNoIPv6, Add and Delete. A record is written "%s\t%s\n" (netip address, TAB, the
// names separated by spaces); there is no header and no comment.
import { type Addr, addrEqual, addrString, is6, parseAddr } from '../../net/index.ts';
import { goScanLines, goTrimSpace } from '../resolvconf/index.ts';

/** etchosts.Record: Hosts is the space-separated name list, IP a parsed address. */
export interface EtcHostsRecord {
  readonly hosts: string;
  readonly ip: Addr;
}

/** Record.WriteTo. */
export const recordLine = (r: EtcHostsRecord): string => `${addrString(r.ip)}\t${r.hosts}\n`;

/** defaultContentIPv4. */
export const DEFAULT_IPV4_LINES = '127.0.0.1\tlocalhost\n';

/**
 * defaultContentIPv6. Docker 28+ keeps these as netip.Addr, so fe00:: and ff00:: print short; up to
 * Docker 27 they were strings written "fe00::0" and "ff00::0" (legacySpelling).
 */
export const defaultIPv6Lines = (legacySpelling = false): string =>
  '::1\tlocalhost ip6-localhost ip6-loopback\n' +
  `${legacySpelling ? 'fe00::0' : 'fe00::'}\tip6-localnet\n` +
  `${legacySpelling ? 'ff00::0' : 'ff00::'}\tip6-mcastprefix\n` +
  'ff02::1\tip6-allnodes\n' +
  'ff02::2\tip6-allrouters\n';

/** etchosts.Build: the defaults (IPv4 and IPv6), then extraContent in order. */
export const buildEtcHosts = (extraContent: readonly EtcHostsRecord[], legacySpelling = false): string =>
  DEFAULT_IPV4_LINES + defaultIPv6Lines(legacySpelling) + extraContent.map(recordLine).join('');

/** etchosts.BuildNoIPv6: the IPv4 default, then extraContent without IPv6 records. */
export const buildEtcHostsNoIPv6 = (extraContent: readonly EtcHostsRecord[]): string =>
  DEFAULT_IPV4_LINES + extraContent.filter((r) => !is6(r.ip)).map(recordLine).join('');

/** etchosts.Add: append records to an existing file. */
export const addEtcHosts = (content: string, recs: readonly EtcHostsRecord[]): string =>
  content + recs.map(recordLine).join('');

/**
 * etchosts.Delete: rewrite the file without the lines that are exactly "<addr>\t<hosts>" for one of
 * recs (the address compared as parsed, after trimming white space). Blank lines go, '#' lines stay,
 * '\r' line ends become '\n'. If the file cannot be scanned (a line of 64 KiB or more) Docker leaves
 * it untouched.
 */
export function deleteEtcHosts(content: string, recs: readonly EtcHostsRecord[]): string {
  if (recs.length === 0) return content;
  const lines = goScanLines(content);
  if (!lines) return content;
  let out = '';
  for (const line of lines) {
    if (line === '') continue;
    if (line[0] !== '#' && recs.some((r) => matches(line, r))) continue;
    out += `${line}\n`;
  }
  return out;
}

function matches(line: string, r: EtcHostsRecord): boolean {
  const suffix = `\t${r.hosts}`;
  if (!line.endsWith(suffix)) return false;
  const addr = parseAddr(goTrimSpace(line.slice(0, line.length - suffix.length)));
  return addr !== undefined && addrEqual(addr, r.ip);
}
