export { parseSource, type ParsedSource } from './parse.ts';
export { lookup, deref, keyString, nodeSpan, pathOfNode, type Lookup, type Span } from './nodes.ts';
