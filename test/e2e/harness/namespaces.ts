// Named network namespaces of one test run. Every name starts with the run's prefix
// (nfe2e-<pid><2 hex>-), so a leftover is easy to find, and to tell apart from anything else on the
// machine. The process id keeps the prefixes of test processes running side by side apart (test/run.ts
// runs the suite in parallel lanes); the random byte, those of a run and a leftover of an older one.
import { randomBytes } from 'node:crypto';
import { check, run, tool } from './exec.ts';

/** Prefix of every namespace this process creates. */
export const RUN_PREFIX = `nfe2e-${process.pid.toString(16)}${randomBytes(1).toString('hex')}-`;

/** Names of the named network namespaces (`ip netns list`). */
export function listNetns(): string[] {
  return check(tool('ip'), ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

export function addNetns(name: string): void {
  check(tool('ip'), ['netns', 'add', name]);
}

/** Deletes a namespace; returns the error text, or undefined when it is gone. */
export function delNetns(name: string): string | undefined {
  const r = run(tool('ip'), ['netns', 'del', name]);
  return r.status === 0 ? undefined : r.stderr.trim() || `exit ${r.status}`;
}

/** Namespaces whose name starts with prefix. */
export const netnsWithPrefix = (prefix: string): string[] => listNetns().filter((n) => n.startsWith(prefix));
