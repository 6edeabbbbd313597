// The iptables renderer: rule data in, iptables-save / iptables -S text out.
export { renderIptablesRestore } from './restore.ts';
export { renderIptablesS } from './listing.ts';
export { ruleArgs } from './args.ts';
