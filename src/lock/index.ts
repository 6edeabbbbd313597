export { readLock, type ReadLock } from './read.ts';
export { lockText } from './write.ts';
export { lockChanges, type LockChange } from './diff.ts';
export { LockScope, NO_LOCK } from './scope.ts';
export * from './keys.ts';
export { keyId, keyText, type Choice, type LockKey, type LockPins, type LockValue, type Pinned } from './types.ts';
