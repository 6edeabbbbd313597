// The state directory of one host: state.json (what the last successful apply left; written only
// after success), topology.json (the build that apply applied, for tracing `expect:` in the next plan),
// lock (concurrent applies wait for each other), journal.json (the steps of an apply in flight, each
// written before it runs, with what undoes it: a killed apply is rolled back by the next one), confirm
// (`netform confirm` for an `apply --try`).
import path from 'node:path';
import type { LiveFirewall } from './firewall/applier.ts';
import type { Step } from './plan-types.ts';
import type { System } from './system.ts';
import type { Topology } from '../topology/types.ts';
import type { Applied, Target } from './types.ts';

export const DEFAULT_STATE_ROOT = '/var/lib/netform';

export const stateDirFor = (host: string, dir?: string): string => dir ?? path.join(DEFAULT_STATE_ROOT, host);

export interface JournalEntry {
  readonly step: Step;
  /** started: written before running; done: it finished. */
  state: 'started' | 'done';
  /** A files step: the directories it made or removed (undoing acts on those only). */
  dirs?: string[];
}

export interface Journal {
  readonly format_version: 1;
  readonly pid: number;
  readonly target: Target;
  /** The firewall as read before the apply: the rollback point of every committed transaction. */
  readonly firewallBefore: LiveFirewall;
  readonly entries: JournalEntry[];
  /** apply --try: `netform confirm` writes this token into the confirm file. */
  readonly try?: { readonly token: string };
}

export class StateDir {
  constructor(
    private readonly system: System,
    readonly dir: string,
  ) {}

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  readState(): Applied | undefined {
    const text = this.system.readFile(this.file('state.json'));
    if (text === undefined) return undefined;
    const s = JSON.parse(text) as Applied;
    if (s.format_version !== 1) throw new Error(`netform: ${this.file('state.json')} has format_version ${String(s.format_version)}; this netform reads 1`);
    return s;
  }

  writeState(s: Applied): void {
    this.system.writeFileAtomic(this.file('state.json'), `${JSON.stringify(s)}\n`, 0o600);
  }

  removeState(): void {
    this.system.removeFile(this.file('state.json'));
    this.system.removeFile(this.file('topology.json'));
  }

  /** The topology of the last successful apply (JSON: keys are redacted in it), if one was kept. */
  readTopology(): Topology | undefined {
    const text = this.system.readFile(this.file('topology.json'));
    return text === undefined ? undefined : (JSON.parse(text) as Topology);
  }

  writeTopology(t: Topology): void {
    this.system.writeFileAtomic(this.file('topology.json'), `${JSON.stringify(t)}\n`, 0o600);
  }

  readJournal(): Journal | undefined {
    const text = this.system.readFile(this.file('journal.json'));
    return text === undefined ? undefined : (JSON.parse(text) as Journal);
  }

  writeJournal(j: Journal): void {
    this.system.writeFileAtomic(this.file('journal.json'), JSON.stringify(j), 0o600);
  }

  removeJournal(): void {
    this.system.removeFile(this.file('journal.json'));
  }

  /** Waits for and takes this host's lock. */
  lock(onWait: (holder: string) => void): Promise<() => void> {
    this.system.makeDirs(this.dir);
    return this.system.lock(this.file('lock'), onWait);
  }

  confirmFile(): string {
    return this.file('confirm');
  }
}
