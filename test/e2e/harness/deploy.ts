// Applying a build the way a user would, inside the sandbox, host by host: each host's setup.sh and
// teardown.sh run as plain `sh` from the root mount namespace (never under `ip netns exec`, which
// would hide the namespaces they create) with that host's NETFORM_HOST_NETNS and NETFORM_NETNS_PREFIX,
// its rulesets are loaded with iptables-restore (nftables.rules with nft -f) in its namespace, and each container's hosts and
// resolv.conf go to /etc/netns/<ns>/, which `ip netns exec` mounts over /etc.
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkIn, run, tool } from './exec.ts';
import type { HostBox } from './sandbox.ts';
import { restoreTool } from './snapshot.ts';
import { namespaceOf, type World } from './world.ts';

/** Writes the build's files (`<host>/<rel>` keys) under dir (files holding keys mode 0600, as the CLI writes them). */
export function writeBuild(dir: string, files: ReadonlyMap<string, string>): void {
  for (const [rel, content] of files) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content, { mode: rel.endsWith('.secret') ? 0o600 : 0o644 });
  }
}

/** Runs a host's setup.sh or teardown.sh; throws with its stderr when it fails. Returns its stderr (warnings). */
export function runScript(hostDir: string, name: 'setup.sh' | 'teardown.sh', h: HostBox): string {
  const env = { ...process.env, NETFORM_HOST_NETNS: h.ns, NETFORM_NETNS_PREFIX: h.containerPrefix, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };
  const r = run(tool('sh'), [path.join(hostDir, name)], { env });
  if (r.status !== 0) throw new Error(`${name} exited ${r.status}:\n${r.stderr.trim()}`);
  return r.stderr.trim();
}

/** iptables-restore / ip6tables-restore of `text` in a host namespace. */
export const restoreRules = (ns: string, family: 4 | 6, text: string): void => void checkIn(ns, restoreTool(family), [], text);

/**
 * Loads iptables.rules and ip6tables.rules into a host namespace, and nftables.rules with `nft -f` (one
 * transaction for all its tables), each when the build has it.
 */
export function loadRules(hostDir: string, ns: string): void {
  for (const [file, family] of [['iptables.rules', 4], ['ip6tables.rules', 6]] as const) {
    const p = path.join(hostDir, file);
    if (existsSync(p)) restoreRules(ns, family, readFileSync(p, 'utf8'));
  }
  const nft = path.join(hostDir, 'nftables.rules');
  if (existsSync(nft)) checkIn(ns, 'nft', ['-f', nft]);
}

/** hosts lookups read /etc/hosts only: a name that is not there must not become a DNS query. */
export const NSSWITCH = 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n';

const ETC_NETNS = '/etc/netns';

export interface EtcFiles {
  readonly container: string;
  readonly ns: string;
  /** File name under /etc -> content. */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * The files each container's namespace must see under /etc. A namespace holds one set: container:NAME
 * uses its target's, and of several network_mode: host containers on a host the first one's is
 * installed. Namespaces Docker makes for itself (ingress_sbox) get none, as in Docker.
 */
export function etcFiles(w: World, files: ReadonlyMap<string, string>): EtcFiles[] {
  const out = new Map<string, EtcFiles>();
  for (const t of w.topologies) {
    for (const c of t.containers) {
      if (c.networking.kind === 'shared' || c.sandbox) continue;
      const ns = namespaceOf(w, c.name);
      if (out.has(ns)) continue;
      const f = (n: string) => {
        const key = `${t.host}/containers/${c.name}/${n}`;
        const content = files.get(key);
        if (content === undefined) throw new Error(`the build has no ${key}`);
        return content;
      };
      out.set(ns, { container: c.name, ns, files: new Map([['hosts', f('hosts')], ['resolv.conf', f('resolv.conf')], ['nsswitch.conf', NSSWITCH]]) });
    }
  }
  return [...out.values()];
}

/** Installs /etc/netns/<ns>/<file>; returns the directories made (for removeEtc). */
export function installEtc(all: readonly EtcFiles[]): string[] {
  const made: string[] = [];
  if (all.length) {
    try {
      mkdirSync(ETC_NETNS);
      made.push(ETC_NETNS);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  for (const { ns, files } of all) {
    const dir = path.join(ETC_NETNS, ns);
    mkdirSync(dir, { recursive: true });
    made.push(dir);
    for (const [name, content] of files) writeFileSync(path.join(dir, name), content);
  }
  return made;
}

/** Removes what installEtc made (/etc/netns itself only if it made it and nothing else is in it). */
export function removeEtc(dirs: readonly string[]): void {
  for (const d of dirs) if (d !== ETC_NETNS) rmSync(d, { recursive: true, force: true });
  if (!dirs.includes(ETC_NETNS)) return;
  try {
    rmdirSync(ETC_NETNS);
  } catch {
    // Not empty (another run, or someone else, uses it now) or already gone: leave it.
  }
}
