// moby's own expectations, kept as data in test/fixtures/moby/ (source commit and licence in its
// README): the firewaller, resolv.conf and /etc/hosts goldens, and the scenario listings.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TableName } from '../../src/firewall/iptables/types.ts';

export const MOBY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'moby');

export type GoldenSet = 'iptables' | 'nftables' | 'resolvconf' | 'etchosts';

/** The golden files of one set, sorted by name. */
export const goldenNames = (set: GoldenSet): string[] =>
  readdirSync(path.join(MOBY, set))
    .filter((f) => f.endsWith('.golden'))
    .sort();

export const readGolden = (set: GoldenSet, name: string): string => readFileSync(path.join(MOBY, set, name), 'utf8');

/** v29: Docker 29 (identical in every 29.x release); v28.5.2, v28.0.0: those tags. */
export type DocVersion = 'v29' | 'v28.5.2' | 'v28.0.0';

export interface IptablesdocScenario {
  /** The harness's `dockerd` / `docker` command lines. */
  readonly commands: readonly string[];
  /** `iptables -S -t <table>` as lines, for the tables the document lists. */
  readonly tables: ReadonlyMap<TableName, readonly string[]>;
  /** `iptables -S <chain>` excerpts the document shows, in document order. */
  readonly excerpts: readonly (readonly string[])[];
}

const lines = (text: string): string[] => text.split('\n').slice(0, -1);

/** The scenarios of one iptablesdoc version, sorted. */
export const iptablesdocScenarios = (version: DocVersion): string[] => readdirSync(path.join(MOBY, 'iptablesdoc', version)).sort();

export function iptablesdoc(version: DocVersion, scenario: string): IptablesdocScenario {
  const dir = path.join(MOBY, 'iptablesdoc', version, scenario);
  const files = readdirSync(dir).sort();
  const read = (f: string): string[] => lines(readFileSync(path.join(dir, f), 'utf8'));
  const tables = new Map<TableName, string[]>();
  for (const t of ['raw', 'filter', 'nat'] as const) if (files.includes(`${t}.txt`)) tables.set(t, read(`${t}.txt`));
  const excerpts = files
    .filter((f) => /^excerpt-\d+\.txt$/.test(f))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
    .map(read);
  return { commands: read('commands.txt'), tables, excerpts };
}
