// resolvconf.Parse and processLine (Docker 29, daemon/libnetwork/internal/resolvconf/resolvconf.go).
// Go reads the file with a bufio.Scanner (ScanLines) and splits each line with strings.Fields; both
// are reproduced here because they decide which bytes survive:
//   - lines end at '\n'; one trailing '\r' is dropped; a last line without '\n' still counts;
//   - a line of 64 KiB or more (bufio.MaxScanTokenSize) fails the whole parse;
//   - a line whose first byte is '#' or ';' is a comment (an indented '#' is not: it is copied);
//   - fields are separated by Unicode white space (unicode.IsSpace), not JavaScript's \s.
import { type Addr, parseAddr } from '../../net/index.ts';
import { type ResolvConf, ResolvConfError, emptyResolvConf } from './types.ts';
import { option } from './modify.ts';

/** bufio.MaxScanTokenSize. */
const MAX_SCAN_TOKEN_SIZE = 64 * 1024;

// unicode.IsSpace: Latin-1 '\t' '\n' '\v' '\f' '\r' ' ' U+0085 U+00A0, and the White_Space property
// above that. (JavaScript's \s also matches U+FEFF and not U+0085, hence the explicit class.)
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** strings.Fields. */
export const goFields = (line: string): string[] => line.split(GO_SPACE).filter((f) => f !== '');

const GO_SPACE_EDGES = new RegExp(`^${GO_SPACE.source}|${GO_SPACE.source}$`, 'g');

/** strings.TrimSpace. */
export const goTrimSpace = (s: string): string => s.replace(GO_SPACE_EDGES, '');

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/**
 * bufio.Scanner with ScanLines over the whole text; undefined where the scan fails because a line
 * (and its '\n') no longer fits in the scanner's 64 KiB buffer.
 */
export function goScanLines(text: string): string[] | undefined {
  const raw = text.split('\n');
  if (raw[raw.length - 1] === '') raw.pop(); // text ended with '\n' (or was empty)
  const lines: string[] = [];
  for (const line of raw) {
    if (line.length * 3 >= MAX_SCAN_TOKEN_SIZE && utf8Length(line) >= MAX_SCAN_TOKEN_SIZE) return undefined;
    lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
  return lines;
}

function scanLines(text: string, path: string): string[] {
  const lines = goScanLines(text);
  if (lines) return lines;
  throw new ResolvConfError(
    'LINE_TOO_LONG',
    `failed to parse resolv.conf from ${path}: line too long (exceeds ${MAX_SCAN_TOKEN_SIZE})`,
  );
}

/**
 * resolvconf.Parse: read `text` as the file at `path` (the path is only shown in the comment).
 * Throws ResolvConfError('LINE_TOO_LONG') where Docker fails the container start.
 */
export function parseResolvConf(text: string, path: string): ResolvConf {
  const nameServers: Addr[] = [];
  const invalidNSs: string[] = [];
  let search: string[] = [];
  const options: string[] = [];
  const other: string[] = [];

  for (const line of scanLines(text, path)) {
    // Strip blank lines and comments.
    if (line === '' || line[0] === '#' || line[0] === ';') continue;
    const fields = goFields(line);
    if (fields.length === 0) continue;
    switch (fields[0]) {
      case 'nameserver': {
        if (fields.length < 2) break;
        const addr = parseAddr(fields[1]!);
        if (addr) nameServers.push(addr);
        else invalidNSs.push(fields[1]!);
        break;
      }
      case 'domain': // an obsolete name for 'search'
      case 'search':
        if (fields.length < 2) break;
        search = fields.slice(1); // only the last one counts
        break;
      case 'options':
        if (fields.length < 2) break;
        options.push(...fields.slice(1)); // options accumulate
        break;
      default:
        other.push(line); // unrecognised directives are copied through, as written
    }
  }

  const base = emptyResolvConf(path);
  const rc: ResolvConf = { nameServers, search, options, other, md: { ...base.md, invalidNSs } };
  return option(rc, 'ndots') !== undefined ? { ...rc, md: { ...rc.md, ndotsFrom: 'host' } } : rc;
}
