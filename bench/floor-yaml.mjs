// Floor of the benchmark: read the file and YAML.parse it, nothing else. Plain JavaScript (no tsx), as
// light as the CLI's own start-up. `--no-unique-keys` turns off yaml's duplicate-key check, which
// compares each key with every earlier key of its mapping (quadratic in the size of a mapping).
import { readFileSync } from 'node:fs';
import YAML from 'yaml';

const [file, flag] = process.argv.slice(2);
YAML.parse(readFileSync(file, 'utf8'), flag === '--no-unique-keys' ? { uniqueKeys: false } : {});
