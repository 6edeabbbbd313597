// Whether a string is an IP address as Go's net.ParseIP / netip.ParseAddr read it: no leading zeros in IPv4
// octets, no IPv6 zone index.

const V4_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const V6_GROUP = /^[0-9A-Fa-f]{1,4}$/;

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => V4_OCTET.test(p) && Number(p) <= 255);
}

export function isIPv6(s: string): boolean {
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return false;
  let str = s;
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    // An embedded IPv4 address (::ffff:10.0.0.1) stands for the last two groups.
    if (!isIPv4(tail)) return false;
    str = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = str.split('::');
  if (halves.length > 2) return false;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0] ?? '');
  const rest = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (![...head, ...rest].every((g) => V6_GROUP.test(g))) return false;
  return halves.length === 2 ? head.length + rest.length <= 7 : head.length === 8;
}

export const isIP = (s: string): boolean => isIPv4(s) || isIPv6(s);
