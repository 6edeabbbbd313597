// The tracer's route table: the longest prefix that holds the address wins, a host route written as
// a canonical /32 or /128 is found, within a length the first route in table order wins, a default
// route holds every address of its family, and `prefixOnly` ignores default routes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RouteTable } from '../src/trace/route-table.ts';

interface R {
  readonly family: 4 | 6;
  readonly cidr?: string;
  readonly length: number;
  readonly name: string;
}

const r = (name: string, cidr: string | undefined, family: 4 | 6 = 4): R => ({ name, family, length: cidr === undefined ? 0 : Number(cidr.split('/')[1] ?? (family === 4 ? 32 : 128)), ...(cidr === undefined ? {} : { cidr }) });
const table = (routes: R[]) => new RouteTable([...routes].sort((a, b) => b.length - a.length));
const name = (t: RouteTable<R>, dst: string, family: 4 | 6 = 4, prefixOnly = false) => t.lookup(dst, family, prefixOnly)?.name;

test('longest prefix first, host routes by their address, the default route for the rest', () => {
  const t = table([r('default', undefined), r('wide', '10.0.0.0/8'), r('bridge', '10.1.0.0/16'), r('host', '10.1.2.3/32'), r('bare', '192.0.2.7'), r('zero', '0.0.0.0/0')]);
  assert.is(name(t, '10.1.2.3'), 'host');
  assert.is(name(t, '10.1.2.4'), 'bridge');
  assert.is(name(t, '10.200.0.1'), 'wide');
  assert.is(name(t, '192.0.2.7'), 'bare');
  // default and 0.0.0.0/0 are both length 0: the first in table order wins.
  assert.is(name(t, '8.8.8.8'), 'default');
  assert.is(name(t, '8.8.8.8', 4, true), 'zero');
  assert.is(name(t, '2001:db8::1', 6), undefined);
});

test('IPv6: host routes (/128 in RFC 5952 form), prefixes, the family kept apart', () => {
  const t = table([r('net', '2001:db8:1::/64', 6), r('host', '2001:db8:1::2/128', 6), r('v4', '10.0.0.0/8'), r('default6', undefined, 6)]);
  assert.is(name(t, '2001:db8:1::2', 6), 'host');
  assert.is(name(t, '2001:db8:1::3', 6), 'net');
  assert.is(name(t, '2001:db8:2::1', 6), 'default6');
  assert.is(name(t, '2001:db8:2::1', 6, true), undefined);
  assert.is(name(t, '10.1.1.1'), 'v4');
});

test('within one prefix length the first route wins; an unparsable prefix holds nothing', () => {
  const t = table([r('first', '172.18.0.0/16'), r('second', '172.18.0.0/16'), r('junk', '172.19.0.0/99')]);
  assert.is(name(t, '172.18.5.5'), 'first');
  assert.is(name(t, '172.19.0.1'), undefined);
  assert.is(name(t, 'not-an-address'), undefined);
});

test.run();
