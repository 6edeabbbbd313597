// Trees A and B of test/cli-output-atomic.test.ts (and of its child, publish-child.ts).
import type { WriteContent } from '../../src/cli/output-dir.ts';

/** Past the writer thread's threshold (256 files), so that both threads' writes are cut by the kills. */
export const FILES = 300;

/** Tree A or B: the same paths, different contents, one big file in pieces (written by this thread). */
export function* tree(variant: string): Generator<[string, WriteContent]> {
  yield ['h/setup.sh', `#!/bin/sh\necho ${variant}\n`];
  for (let i = 0; i < FILES; i++) yield [`h/containers/c-${i}/hosts`, `${variant} ${i}\n`];
  yield ['h/topology.json', (function* () {
    for (let i = 0; i < 2000; i++) yield `{"variant": "${variant}", "i": ${i}}\n`;
  })()];
}
