// The tracer's lookups in a topology's lists (endpoints by address and by container, port mappings by
// port) give what a filter of the list gives, in list order, both while they scan the list (the first
// lookups) and once they have made their map; an item whose two keys agree is found once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ListIndex } from '../src/trace/list-index.ts';

interface Item {
  readonly id: number;
  readonly a?: string;
  readonly b?: string;
}

const items: Item[] = Array.from({ length: 300 }, (_, i) => ({
  id: i,
  ...(i % 7 ? { a: `k${i % 23}` } : {}),
  ...(i % 3 ? { b: i % 11 === 0 ? `k${i % 23}` : `k${(i * 5) % 31}` } : {}),
}));
const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);

test('all, find and has agree with a filter of the list, before and after the map', () => {
  const index = new ListIndex(items, ['a', 'b']);
  for (let round = 0; round < 3; round++) {
    for (const k of keys) {
      const want = items.filter((x) => x.a === k || x.b === k);
      assert.equal(index.all(k).map((x) => x.id), want.map((x) => x.id), `all(${k}) round ${round}`);
      assert.is(index.find(k)?.id, want[0]?.id, `find(${k})`);
      assert.is(index.find(k, (x) => x.id % 2 === 1)?.id, want.find((x) => x.id % 2 === 1)?.id, `find(${k}, odd)`);
      assert.is(index.has(k), want.length > 0);
    }
  }
});

test('one key', () => {
  const index = new ListIndex(items, ['b']);
  for (let round = 0; round < 3; round++) for (const k of keys) assert.equal(index.all(k).map((x) => x.id), items.filter((x) => x.b === k).map((x) => x.id));
});

test.run();
