// daemon.json `bridge-accept-fwmark`: "mark[/mask]", each read as moby reads it (bridge network.go
// iptablesFwMark: strconv.ParseUint(s, 0, 32), so decimal, 0x hex, 0o or leading-0 octal, 0b binary, with
// Go's `_` digit separators). An absent mask is all ones.

export interface FwMark {
  readonly mark: number;
  readonly mask: number;
}

/** Go's strconv.ParseUint(s, 0, 32), or undefined when it would fail. */
function parseUint32(text: string): number | undefined {
  const t = text.replace(/_/g, '');
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) n = parseInt(t.slice(2), 16);
  else if (/^0[bB][01]+$/.test(t)) n = parseInt(t.slice(2), 2);
  else if (/^0[oO][0-7]+$/.test(t)) n = parseInt(t.slice(2), 8);
  else if (/^0[0-7]+$/.test(t)) n = parseInt(t.slice(1), 8);
  else if (/^[0-9]+$/.test(t)) n = Number(t);
  else return undefined;
  return Number.isSafeInteger(n) && n <= 0xffffffff ? n : undefined;
}

/** The mark and mask, or undefined when dockerd would refuse the value. */
export function parseFwMark(value: string): FwMark | undefined {
  const parts = value.split('/');
  if (parts.length > 2) return undefined;
  const mark = parseUint32(parts[0]!);
  const mask = parts.length === 2 ? parseUint32(parts[1]!) : 0xffffffff;
  return mark === undefined || mask === undefined ? undefined : { mark, mask };
}
