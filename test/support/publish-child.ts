// A build reduced to its writing, for test/cli-output-atomic.test.ts: publishes tree A or B into DIR,
// and kills itself with SIGKILL at a given step of publishTree when asked (as a user's kill -9 would).
//   node publish-child.mjs DIR A|B [STEP]
import { publishTree, type PublishStep } from '../../src/cli/output-dir.ts';
import { tree } from './publish-tree.ts';

const [dir, variant, step] = process.argv.slice(2);
publishTree(dir!, tree(variant!), {
  onStep: (s: PublishStep) => {
    if (s === step) process.kill(process.pid, 'SIGKILL');
  },
});
