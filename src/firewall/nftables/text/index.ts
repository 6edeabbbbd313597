// The nftables backend's text: `nft list table` listings and `nft -f` input from rule data.
export { listTable, priorityText, replaceTable, type ListingOptions, type NftDialect } from './listing.ts';
export { compareIfnames, matchText, ruleText, targetText } from './expr.ts';
