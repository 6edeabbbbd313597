export { parseSource, type ParsedSource } from './parse.ts';
export { lookup, deref, keyString, nodeSpan, pathOfNode, type Lookup, type Span } from '../diagnostics/yaml-nodes.ts';
