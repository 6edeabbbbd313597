// CPU time, to tell a test that computes from one that waits (test/run.ts prints both per job).
import { readFileSync } from 'node:fs';

/** Linux counts CPU time in /proc in clock ticks: 100 a second (USER_HZ) on every architecture. */
const TICK_MS = 10;

/**
 * Milliseconds of CPU (user + system) so far of this process, every thread, and of its children that
 * have ended and been waited for (theirs included): cutime + cstime of /proc/self/stat. Where /proc is
 * missing, this process's own time only.
 */
export function cpuSoFar(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // After "(comm) ", the state is field 3 of stat(5); cutime and cstime are fields 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = (Number(fields[13]) + Number(fields[14])) * TICK_MS;
  } catch {
    // Not Linux: the children's share is not counted.
  }
  return (own.user + own.system) / 1000 + children;
}
