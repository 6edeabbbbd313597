// Failures on purpose, through a System wrapped around the real one: the kernel refusing a rule (a
// DNAT in POSTROUTING added to the nat transaction: RULE_APPEND fails with EINVAL, as the measured
// facts show; for nftables a nat chain on the forward hook), a link name taken by someone else just before netform makes it, or a step that fails.
import type { Ran, RunOptions, System } from '../../src/apply/index.ts';

export type Fault =
  | { readonly kind: 'kernel-refuses-nat-rule' }
  /** The nftables backend's load refused: a nat chain on the forward hook (EOPNOTSUPP), added to netform's nft input. */
  | { readonly kind: 'kernel-refuses-nft' }
  | { readonly kind: 'link-name-taken'; readonly name: string }
  | { readonly kind: 'batch-fails'; readonly match: RegExp };

const isBatch = (argv: readonly string[]) => argv[0] === 'ip' && argv.includes('-batch') && !argv.includes('-force');

export function withFault(base: System, fault: Fault): System & { readonly fired: () => boolean } {
  let fired = false;
  const change = (argv: readonly string[], options: RunOptions): { argv: readonly string[]; options: RunOptions } | Ran => {
    const input = options.input ?? '';
    if (fault.kind === 'kernel-refuses-nat-rule' && argv[0] === 'iptables-restore' && argv.includes('--noflush') && /^\*nat$/m.test(input)) {
      fired = true;
      // The blocks before nat (raw, filter) commit; nat's fails as a whole.
      return { argv, options: { ...options, input: input.replace(/(^\*nat\n[\s\S]*?)^COMMIT$/m, '$1-A POSTROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80\nCOMMIT') } };
    }
    if (fault.kind === 'kernel-refuses-nft' && argv[0] === 'nft' && argv[1] === '-f' && /^table ip6? docker-bridges \{$/m.test(input)) {
      fired = true;
      const table = /^table (ip6? docker-bridges) \{$/m.exec(input)![1]!;
      return { argv, options: { ...options, input: `${input}add chain ${table} netform-refused { type nat hook forward priority 0; policy accept; }\n` } };
    }
    if (fault.kind === 'link-name-taken' && isBatch(argv) && options.where === 'host' && input.includes(`link add name ${fault.name} `)) {
      fired = true;
      base.run(['ip', 'link', 'add', fault.name, 'type', 'veth', 'peer', 'name', `${fault.name.slice(0, 12)}p`], { where: 'host' });
      return { argv, options };
    }
    if (fault.kind === 'batch-fails' && isBatch(argv) && fault.match.test(input)) {
      fired = true;
      return { status: 1, stdout: '', stderr: 'injected failure' };
    }
    return { argv, options };
  };
  return {
    ...base,
    run(argv, options) {
      const c = change(argv, options);
      return 'status' in c ? c : base.run(c.argv, c.options);
    },
    async runAll(jobs, parallel) {
      const changed = jobs.map((j) => change(j.argv, j.options));
      const real = changed.filter((c): c is { argv: readonly string[]; options: RunOptions } => !('status' in c));
      const ran = await base.runAll(real, parallel);
      let k = 0;
      return changed.map((c) => ('status' in c ? c : ran[k++]!));
    },
    fired: () => fired,
  };
}
