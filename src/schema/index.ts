export { validateSchema, schemaValidator } from './validate.ts';
export { FORMATS, isIP, isIPv4, isIPv6, cidrProblem, ipProblem, HOST_GATEWAY } from './formats.ts';
