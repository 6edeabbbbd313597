export { validateSchema, schemaValidator } from './validate.ts';
export { FORMATS, cidrProblem, ipProblem, HOST_GATEWAY } from './formats.ts';
