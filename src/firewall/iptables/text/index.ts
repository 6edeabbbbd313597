// The iptables backend's text: iptables-restore input and `iptables -S` listings from rule data.
export { iptablesRestoreOrigins, renderIptablesRestore } from './restore.ts';
export { renderIptablesS } from './listing.ts';
export { appendLine, moduleWords, ruleArgs, targetWords } from './args.ts';
export { TABLE_ORDER, tablesOf, tableView } from './layout.ts';
