import test from 'ava';
import fc from 'fast-check';
import { EntryIndex } from './entry-index.js';

test('entry index: sets, gets and deletes agree with a Map through growth and backward-shift deletion', (t) => {
  fc.assert(
    fc.property(
      // Few distinct regions so that probe runs collide and deletions shift entries back.
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 200 }), fc.nat(1000)), { maxLength: 400 }),
      (ops) => {
        const index = new EntryIndex(16);
        const model = new Map<number, number>();
        for (const [set, region, node] of ops) {
          const r = (region * 65536) >>> 0;
          if (set) {
            index.set(r, node);
            model.set(r, node);
          } else {
            index.delete(r);
            model.delete(r);
          }
          if (index.size !== model.size) return false;
        }
        for (let region = 0; region <= 200; region++) {
          const r = (region * 65536) >>> 0;
          if (index.get(r) !== (model.get(r) ?? -1)) return false;
        }
        return true;
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});
