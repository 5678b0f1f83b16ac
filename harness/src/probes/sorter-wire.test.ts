/**
 * The harness's sorter-protocol codec against the version 2 test vectors of
 * docs/bgpdns-protocol.md §9: two implementations that agree with the document
 * agree with each other, without sharing code.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeWireAnswer, encodeWireQuery, wireMacValid } from './sorter-wire.js';

const DOC = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/bgpdns-protocol.md');
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const text = readFileSync(DOC, 'utf8');
const vectors = [...text.slice(text.indexOf('## 9. Test vectors')).matchAll(/^#### (.+)\n\n```json\n(.+)\n```\n\n```hex\n([0-9a-f \n]+)```/gm)]
  .map((m) => ({ title: m[1], fields: JSON.parse(m[2]) as Record<string, unknown>, wire: Buffer.from(m[3].replace(/\s+/g, ''), 'hex') }))
  .filter((v) => v.fields.version === undefined);

test('the document has version 2 vectors for queries and answers', (t) => {
  t.true(vectors.some((v) => v.title.startsWith('query')));
  t.true(vectors.some((v) => v.title.startsWith('answer')));
});

for (const v of vectors) {
  test(`vector: ${v.title}`, (t) => {
    const f = { ...v.fields, nonce: BigInt(v.fields.nonce as string) } as Record<string, unknown>;
    if (v.title.startsWith('query')) {
      t.is(encodeWireQuery(f as never, KEY).toString('hex'), v.wire.toString('hex'));
    } else {
      t.true(wireMacValid(v.wire, KEY));
      const { keyId: _k, ...rest } = f;
      t.deepEqual(decodeWireAnswer(v.wire), rest as never);
    }
  });
}

test('a flipped bit fails the MAC; a bad address names itself', (t) => {
  const answer = vectors.find((v) => v.title.startsWith('answer'))!.wire;
  const copy = Buffer.from(answer);
  copy[30] ^= 1;
  t.false(wireMacValid(copy, KEY));
  t.throws(() => encodeWireQuery({ requestId: 1, keyId: 1, timestamp: 0, nonce: 1n, client: 'sorter.lab', candidates: [] }, KEY), { message: /client "sorter.lab" is not an IP address/ });
});
