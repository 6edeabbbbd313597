// The package version, read once from package.json (kept in step by npm version).
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
