import test from 'ava';
import { ATTRIBUTE_DECODERS } from './attribute-decoders.js';
import { attrTypeName, expectedFlags } from './attribute-types.js';

test('every attribute with known flags has a decoder, and only those', (t) => {
  t.is(ATTRIBUTE_DECODERS.length, 256);
  for (let type = 0; type < 256; type++) {
    t.is(ATTRIBUTE_DECODERS[type] !== undefined, expectedFlags(type) !== undefined, attrTypeName(type));
  }
});
