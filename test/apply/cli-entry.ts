// `netform` from the sources, for tests that need the command line as a process of its own (to kill
// it half-way): `node --import tsx test/apply/cli-entry.ts ARGS...`, or bundled by the tests
// (test/support/bundle.ts, sourceCliBundle) to start without a loader. bin/netform.js runs dist/.
import { main } from '../../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), env: process.env });
