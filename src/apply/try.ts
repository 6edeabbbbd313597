// apply --try: after the changes are in, run the probes; keep the changes only when every probe passes
// and `netform confirm` arrives within the window. netplan try and iptables-apply ask a person at the
// keyboard; here a probe (any shell command, in this namespace: `ip netns exec` reaches others) or the
// absence of a confirmation does it, so a change that cuts off the operator undoes itself.
import type { StateDir } from './journal.ts';
import type { System } from './system.ts';

export interface TryOptions {
  /** How long to wait for `netform confirm` (seconds). */
  readonly seconds: number;
  /** Shell commands that must all exit 0. */
  readonly probes: readonly string[];
}

export async function runTry(system: System, state: StateDir, o: TryOptions, token: string, log: (line: string) => void): Promise<{ confirmed: boolean; reason?: string }> {
  const deadline = system.now() + o.seconds * 1000;
  for (const probe of o.probes) {
    const r = system.run(['sh', '-c', probe], { where: 'current' });
    if (r.status !== 0) {
      system.removeFile(state.confirmFile());
      return { confirmed: false, reason: `probe failed (exit ${r.status}): ${probe}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}` };
    }
    log(`netform: probe passed: ${probe}`);
  }
  log(`netform: changes applied; run \`netform confirm\` within ${Math.max(0, Math.round((deadline - system.now()) / 1000))} s to keep them`);
  while (system.now() < deadline) {
    if (system.readFile(state.confirmFile())?.trim() === token) {
      system.removeFile(state.confirmFile());
      return { confirmed: true };
    }
    await system.sleep(100);
  }
  system.removeFile(state.confirmFile());
  return { confirmed: false, reason: `no netform confirm within ${o.seconds} s` };
}
