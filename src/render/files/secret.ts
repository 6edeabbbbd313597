// Output files that hold key material (the encrypted overlays' SAs): written mode 0600 by the command
// line, never part of a golden (golden/compare.ts leaves them out on both sides).
export const SECRET_SUFFIX = '.secret';
export const isSecretFile = (rel: string): boolean => rel.endsWith(SECRET_SUFFIX);
