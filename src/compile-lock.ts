// The lock file in the pipeline (docs/lock.md): read before IPAM, its allocations handed to every host's
// and the swarm's stages, and the lock as it should now be, made from what those stages chose. Pure: the
// caller reads the lock file and writes the text back (only src/cli touches files).
import { error, warning, type Diagnostic, type Severity } from './diagnostics/diagnostic.ts';
import { keyText, lockChanges, lockText, LockScope, readLock, type Choice, type LockChange, type Pinned, type ReadLock } from './lock/index.ts';

export interface LockOptions {
  /** The lock file's name, as diagnostics print it. */
  readonly file: string;
  /** Its text; absent when there is no lock file yet (every allocation is new, made as without a lock). */
  readonly text?: string;
  /**
   * What the allocations the lock would gain or lose are reported as: nothing (the default: build writes
   * the lock), warnings (validate), errors (--frozen-lock: the lock must be up to date).
   */
  readonly outOfDate?: Severity;
}

export interface LockResult {
  readonly file: string;
  /** The lock file's text as it should now be. */
  readonly text: string;
  /** The file needs writing: it does not exist, or its text differs. */
  readonly changed: boolean;
  /** Allocations the lock gains, loses or changes. */
  readonly changes: readonly LockChange[];
}

/** The lock as read, and the scope the stages allocate in (which collects their choices). */
export interface LockInput {
  readonly options: LockOptions;
  readonly read?: ReadLock;
  readonly scope: LockScope;
  readonly choices: Choice[];
}

export function lockInput(options: LockOptions): LockInput {
  const read = options.text !== undefined ? readLock(options.text, options.file) : undefined;
  const choices: Choice[] = [];
  return { options, ...(read ? { read } : {}), choices, scope: new LockScope(read?.pins, [], choices) };
}

/** The lock after the stages ran without error, and what is out of date in it when that is asked for. */
export function lockResult(input: LockInput): { lock: LockResult; diagnostics: Diagnostic[] } {
  const { options } = input;
  const text = lockText(input.choices);
  const changes = lockChanges(input.read?.pins, input.choices);
  const lock: LockResult = { file: options.file, text, changed: options.text !== text, changes };
  return { lock, diagnostics: options.outOfDate ? outOfDate(lock, options, options.outOfDate) : [] };
}

const make = (severity: Severity) => (severity === 'error' ? error : warning);

/** Values as a message lists them, their keys after the part they share: `ipv4 172.18.0.2, mac 02:...`. */
function values(list: readonly { key: readonly string[]; value: string | number }[], common: number): string {
  return list.map((e) => `${keyText(e.key.slice(common))} ${e.value}`).join(', ');
}

/** How many leading parts the keys share (at least one part of each is left to name it). */
function shared(list: readonly { key: readonly string[] }[]): number {
  let common = list[0]!.key.length - 1;
  for (const e of list) {
    let i = 0;
    while (i < common && e.key[i] === list[0]!.key[i]) i++;
    common = Math.min(common, i, e.key.length - 1);
  }
  return common;
}

/**
 * LOCK_OUT_OF_DATE diagnostics: new allocations at the input item they belong to, freed ones at their
 * line in the lock, grouped by item so that a new network is one diagnostic.
 */
function outOfDate(lock: LockResult, options: LockOptions, severity: Severity): Diagnostic[] {
  const d = make(severity);
  const file = options.file;
  if (options.text === undefined) {
    return [d('LOCK_OUT_OF_DATE', [], `there is no lock file ${file}: a build would write it, with ${lock.changes.length} allocations`)];
  }
  const out: Diagnostic[] = [];
  const added = new Map<string, Choice[]>();
  const removed = new Map<string, Pinned[]>();
  for (const c of lock.changes) {
    if (c.kind === 'add') {
      const k = c.choice.origin.join('\u0000');
      added.set(k, [...(added.get(k) ?? []), c.choice]);
    } else if (c.kind === 'remove') {
      const k = c.pinned.key.slice(0, -1).join('\u0000');
      removed.set(k, [...(removed.get(k) ?? []), c.pinned]);
    } else {
      out.push(d('LOCK_OUT_OF_DATE', c.pinned.key, `${file} pins ${c.pinned.value} here, netform now chooses ${c.choice.value}`, { file }));
    }
  }
  for (const list of added.values()) {
    const common = shared(list);
    out.push(d('LOCK_OUT_OF_DATE', list[0]!.origin, `not in ${file} yet: ${keyText(list[0]!.key.slice(0, common))}: ${values(list, common)}`, { atKey: true }));
  }
  for (const list of removed.values()) {
    const parent = list[0]!.key.slice(0, -1);
    out.push(d('LOCK_OUT_OF_DATE', parent, `${file} pins ${values(list, parent.length)} here for something the input no longer has (or no longer leaves to netform): a build would free it`, { file, atKey: true }));
  }
  if (out.length === 0 && lock.changed) {
    out.push(d('LOCK_OUT_OF_DATE', [], `${file} is not written as netform writes it (order, spelling, comments): a build would rewrite it`, { file }));
  }
  return out;
}
