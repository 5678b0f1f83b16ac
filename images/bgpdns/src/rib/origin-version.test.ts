/**
 * Rib.originVersion scopes the sorter's candidate-to-upstream cache: it moves when a
 * self-originated path (AS_PATH only the neighbour's AS) appears, is replaced or goes,
 * and stays put for the rest of a full feed's churn.
 */
import test from 'ava';
import { Rib } from './rib.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';

function rib(): Rib {
  const r = new Rib({ localAsn: 64500 });
  const id = r.addPeer({ address: '198.18.10.1', asn: 64501 });
  r.peerUp(id, '198.18.255.1');
  return r;
}

test('churn of transit paths leaves originVersion; self-originated paths appearing, replaced or withdrawn move it', (t) => {
  const r = rib();
  r.update(0, path([64501, 64510]), [prefix('198.18.4.0/24')]);
  const v0 = r.originVersion;
  r.update(0, path([64501, 64511]), [prefix('198.18.4.0/24')]);
  r.withdraw(0, [prefix('198.18.4.0/24')]);
  r.withdraw(0, [prefix('198.18.5.0/24')]);
  t.is(r.originVersion, v0, 'transit churn');
  r.update(0, path([64501]), [prefix('198.19.201.0/24')]);
  t.is(r.originVersion, v0 + 1, 'self-originated path appears');
  r.update(0, path([64501, 64510]), [prefix('198.19.201.0/24')]);
  t.is(r.originVersion, v0 + 2, 'self-originated path replaced by a transit one');
  r.update(0, path([64501]), [prefix('198.19.201.0/24')]);
  r.withdraw(0, [prefix('198.19.201.0/24')]);
  t.is(r.originVersion, v0 + 4, 'self-originated path withdrawn');
});

test('a sliced flush moves originVersion only for the self-originated paths it removes', (t) => {
  const r = rib();
  r.update(0, path([64501, 64510]), [prefix('198.18.4.0/24'), prefix('198.18.5.0/24')]);
  r.update(0, path([64501]), [prefix('198.19.201.0/24')]);
  const v0 = r.originVersion;
  r.retirePeer(0);
  while (!r.flushStep(0));
  t.is(r.originVersion, v0 + 1);
  t.is(r.v4.paths, 0);
});

test('originChangesSince names each changed self-originated prefix, also those a sliced flush removes', (t) => {
  const r = rib();
  r.update(0, path([64501]), [prefix('198.19.201.0/24'), prefix('2001:db8:c9::/48')]);
  const v0 = r.originVersion;
  r.update(0, path([64501, 64510]), [prefix('198.18.4.0/24')]);
  t.deepEqual(r.originChangesSince(v0), []);
  r.retirePeer(0);
  while (!r.flushStep(0));
  const changes = r.originChangesSince(v0)!;
  t.deepEqual(changes.map((c) => [c.afi, c.len]).sort(), [[1, 24], [2, 48]]);
  t.is(changes.find((c) => c.len === 24)!.words[0], 0xc613c900);
  t.is(r.originChangesSince(v0 - 100), undefined, 'further back than the log reaches');
});
