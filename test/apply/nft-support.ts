// What the nftables apply tests share: the foreign state of a host whose other tools use nftables and
// iptables-nft side by side (a firewalld-like `inet` table with a drop-policy input chain and a named
// set, iptables-nft's `ip filter` and `ip nat` with kube-proxy's chains, fail2ban's chain, a user rule
// in INPUT and in DOCKER-USER, one in ip6tables), the judges of "foreign nft state byte-identical"
// and "nothing of netform's left", written independently of src/apply, and failures on purpose.
import type { ApplyHost, Snapshot } from './sandbox.ts';
import { snapshot } from './sandbox.ts';
import { fixture, kubeProxySync, type Runner } from './support.ts';

/** Docker's tables: what the nftables backend makes (and nothing else may be touched). */
export const DOCKER_NFT_TABLES = ['ip docker-bridges', 'ip6 docker-bridges', 'ip docker-overlay', 'ip6 docker-overlay'];

/** A firewalld-like table: a set of trusted sources, input dropped unless trusted or ssh. */
const FIREWALLD_LIKE = `table inet fw-test {
\tset trusted {
\t\ttype ipv4_addr
\t\tflags interval
\t\telements = { 192.0.2.0/24, 198.51.100.7 }
\t}

\tchain filter_INPUT {
\t\ttype filter hook input priority filter + 10; policy drop;
\t\tct state established,related accept
\t\tiifname "lo" accept
\t\tip saddr @trusted accept
\t\ttcp dport 22 counter accept
\t}
}
`;

const IPTABLES_USER = '*filter\n:DOCKER-USER - [0:0]\n-A INPUT -s 203.0.113.0/24 -j DROP\n-A DOCKER-USER -s 198.51.100.0/24 -j DROP\nCOMMIT\n*nat\n-A POSTROUTING -s 192.168.99.0/24 -j MASQUERADE\nCOMMIT\n';
const IP6TABLES_USER = '*filter\n-A INPUT -s 2001:db8:dead::/48 -j DROP\nCOMMIT\n';

/** Loads the other tools' state, each the way the tool would. */
export function loadNftForeign(ns: Runner): void {
  ns.check('nft', ['-f', '-'], FIREWALLD_LIKE);
  ns.check('iptables-restore', ['--noflush', '--counters'], fixture('kube-proxy.rules'));
  kubeProxySync(ns);
  ns.check('iptables-restore', ['--noflush'], fixture('fail2ban.rules'));
  ns.check('iptables-restore', ['--noflush'], IPTABLES_USER);
  ns.check('ip6tables-restore', ['--noflush'], IP6TABLES_USER);
}

/** The host's nft tables, `family name`, in nft's order. */
export const nftTables = (r: Runner): string[] =>
  r
    .check('nft', ['list', 'tables'])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^table /, ''));

/** `nft list table` of one table, counter values zeroed (traffic moves them) unless `counters`. */
export function listTable(r: Runner, name: string, counters = false): string {
  const text = r.check('nft', ['list', 'table', ...name.split(' ')]);
  return counters ? text : text.replace(/counter packets \d+ bytes \d+/g, 'counter packets 0 bytes 0');
}

/** Every table that is not Docker's, listed whole: iptables-nft's and the firewalld-like one. */
export const foreignNft = (r: Runner): string =>
  nftTables(r)
    .filter((t) => !DOCKER_NFT_TABLES.includes(t))
    .map((t) => listTable(r, t))
    .join('');

/** The apply tests' snapshot plus every nft table of the host (counters zeroed). */
export interface NftSnapshot extends Snapshot {
  readonly nft: string;
}

export const nftSnapshot = (h: ApplyHost): NftSnapshot => ({ ...snapshot(h), nft: nftTables(h.runner).map((t) => listTable(h.runner, t)).join('') });
