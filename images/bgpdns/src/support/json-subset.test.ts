import test from 'ava';
import { jsonSubset } from './json-subset.js';

const summary = {
  ipv4Unicast: {
    as: 64510,
    peers: {
      '198.18.1.1': { remoteAs: 64501, state: 'Established', pfxRcd: 3 },
      '198.18.1.5': { remoteAs: 64502, state: 'Active', pfxRcd: 0 },
    },
  },
  list: [1, 2, 3],
};

test('a subset matches; extra keys in actual are fine', (t) => {
  t.is(jsonSubset(summary, { ipv4Unicast: { peers: { '198.18.1.1': { state: 'Established' } } } }), null);
  t.is(jsonSubset(summary, {}), null);
  t.is(jsonSubset(summary, { list: [1, 2] }), null);
  t.is(jsonSubset(3, 3), null);
});

test('differences are listed with their paths', (t) => {
  t.deepEqual(
    jsonSubset(summary, {
      ipv4Unicast: { as: 64511, peers: { '198.18.1.5': { state: 'Established' }, '198.18.1.9': { state: 'Established' } } },
    }),
    [
      '$.ipv4Unicast.as: expected 64511, got 64510',
      '$.ipv4Unicast.peers["198.18.1.5"].state: expected "Established", got "Active"',
      '$.ipv4Unicast.peers["198.18.1.9"]: missing (expected {"state":"Established"})',
    ],
  );
});

test('null in expected means absent', (t) => {
  t.is(jsonSubset({ a: 1 }, { b: null }), null);
  t.deepEqual(jsonSubset({ a: 1, b: 2 }, { b: null }), ['$.b: expected absent, got 2']);
});

test('arrays: element by element, shorter expected, wrong types', (t) => {
  t.deepEqual(jsonSubset({ l: [1, 5] }, { l: [1, 2] }), ['$.l[1]: expected 2, got 5']);
  t.deepEqual(jsonSubset({ l: [1] }, { l: [1, 2] }), ['$.l: expected at least 2 elements, got 1']);
  t.deepEqual(jsonSubset({ l: 'x' }, { l: [1] }), ['$.l: expected an array, got "x"']);
  t.deepEqual(jsonSubset({ o: [1] }, { o: { a: 1 } }), ['$.o: expected an object, got [1]']);
  t.deepEqual(jsonSubset(undefined, { a: 1 }), ['$: expected an object, got undefined']);
});
