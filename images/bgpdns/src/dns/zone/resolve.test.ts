import test from 'ava';
import { parseTinydnsData } from '../tinydns-data/parse.js';
import { Zone } from './zone.js';
import { resolve } from './resolve.js';
import { dottedToKey } from '../wire/name.js';
import { RrType, Rcode } from '../wire/types.js';
import { tai64Label } from '../../../testing/dns/corpus.js';

const now = 1_800_000_000;
const zone = (text: string) => Zone.fromData(parseTinydnsData(text, { file: 'data', serial: 1 }));
const ask = (z: Zone, name: string, type: number, location = '', at = now) => resolve(z, dottedToKey(name), type, { location, now: at });

test('ttl 0 + timestamp: TTL counts down to the time to die, clamped to 2…3600, gone after it', (t) => {
  const z = zone(`.lab.example:198.18.0.1:a\n+ttd.lab.example:198.18.1.1:0:${tai64Label(now + 100)}`);
  t.is(ask(z, 'ttd.lab.example', RrType.A)!.addressSets[0].ttl, 100);
  t.is(ask(z, 'ttd.lab.example', RrType.A, '', now + 99)!.addressSets[0].ttl, 2);
  t.is(ask(z, 'ttd.lab.example', RrType.A, '', now - 10_000)!.addressSets[0].ttl, 3600);
  const gone = ask(z, 'ttd.lab.example', RrType.A, '', now + 101)!;
  t.is(gone.rcode, Rcode.NxDomain);
});

test('ttl with a timestamp: the record starts at it', (t) => {
  const z = zone(`.lab.example:198.18.0.1:a\n+new.lab.example:198.18.1.2:300:${tai64Label(now)}`);
  t.is(ask(z, 'new.lab.example', RrType.A, '', now)!.rcode, Rcode.NxDomain);
  t.is(ask(z, 'new.lab.example', RrType.A, '', now + 1)!.addressSets[0].ttl, 300);
});

test('locations pick records; records without a location are for everyone', (t) => {
  const z = zone('%in:198.18.64\n.lab.example:198.18.0.1:a\n+www.lab.example:198.18.1.1:::in\n+www.lab.example:198.18.2.1');
  t.is(z.locationOf(0xc6124007), 'in');
  t.is(z.locationOf(0xc6124107), '');
  t.is(ask(z, 'www.lab.example', RrType.A, 'in')!.addressSets[0].addresses.length, 2);
  t.is(ask(z, 'www.lab.example', RrType.A, '')!.addressSets[0].addresses.length, 1);
});

test('out of zone is null; a delegation is a referral without AA', (t) => {
  const z = zone('.lab.example:198.18.0.1:a\n&sub.lab.example:198.18.0.2:a');
  t.is(ask(z, 'www.other.example', RrType.A), null);
  const ref = ask(z, 'x.sub.lab.example', RrType.A)!;
  t.false(ref.authoritative);
  t.is(ref.authority[0].type, RrType.NS);
  t.is(ref.additional[0].type, RrType.A);
});
