/**
 * Differential test: file mode against real tinydns (Debian package) on the
 * same data file, same clock, from the same client addresses. Answers are
 * compared as sets (order aside): rcode, flags, answer/authority/additional
 * records and their TTLs. The only differences allowed are the documented ones
 * (docs/dns-front.md), each asserted here explicitly.
 * tinydns binds port 53 on its own 127.x address; it is started and stopped by PID.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDnsServer, type DnsServer } from './server/dns-server.js';
import dnsPacket from 'dns-packet';
import { buildQuery, normalize, queryUdp, type NormalResponse, type NormalRr, type QuerySpec } from '../../testing/dns/dns-client.js';
import { loopbackAddress, startTinydns, type TinydnsProcess } from '../../testing/dns/tinydns-process.js';
import { tinydnsCompatible, withTimestamps } from '../../testing/dns/corpus.js';

const corpusDir = join(dirname(fileURLToPath(import.meta.url)), 'testdata', 'differential');

interface Pair {
  tinydns: TinydnsProcess;
  ours: DnsServer;
  cleanup(): Promise<void>;
}

async function startPair(corpus: string, tag: number): Promise<Pair> {
  const ourText = withTimestamps(readFileSync(join(corpusDir, `${corpus}.data`), 'latin1'), Math.floor(Date.now() / 1000));
  const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const tinydns = await startTinydns(tinydnsCompatible(ourText), loopbackAddress(tag), { mtime, probeName: corpus === 'basic' ? 'example.test' : 'loc.test' });
  const dir = mkdtempSync(join(tmpdir(), 'h5-ours-'));
  const dataPath = join(dir, 'data');
  writeFileSync(dataPath, ourText, 'latin1');
  utimesSync(dataPath, mtime, mtime);
  let ours: DnsServer;
  try {
    ours = await startDnsServer({ data: dataPath, listen: { host: '127.0.0.1', port: 0 }, pollMs: 0 });
  } catch (e) {
    await tinydns.stop();
    throw e;
  }
  return {
    tinydns,
    ours,
    async cleanup() {
      await ours.close();
      await tinydns.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readQueries(corpus: string): { name: string; type: string | number; from: string }[] {
  return readFileSync(join(corpusDir, `${corpus}.queries`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [name, type, from] = l.trim().split(/\s+/);
      return { name, type: /^\d+$/.test(type) ? Number(type) : type, from: from ?? '127.0.0.1' };
    });
}

async function ask(pair: Pair, name: string, type: string | number, from: string, extra: Partial<QuerySpec> = {}) {
  const packet = buildQuery({ name, type, id: 0x4242, ...extra });
  const [theirs, ours] = await Promise.all([
    queryUdp({ host: pair.tinydns.ip, port: 53 }, packet, { from, timeoutMs: 700 }),
    queryUdp(pair.ours.address, packet, { from, timeoutMs: 700 }),
  ]);
  return { theirs, ours };
}

/** TTLs of records whose TTL counts down to a time to die may differ by the second between two servers. */
function sameTtl(a: NormalRr, b: NormalRr): boolean {
  return a.ttl === b.ttl || (a.ttl < 3600 && Math.abs(a.ttl - b.ttl) <= 1);
}

function diffSection(name: string, ours: NormalRr[], theirs: NormalRr[]): string[] {
  const problems: string[] = [];
  const a = ours.map((r) => r.text).join('\n');
  const b = theirs.map((r) => r.text).join('\n');
  if (a !== b) problems.push(`${name} differs:\n  ours:    ${a.replace(/\n/g, '\n           ')}\n  tinydns: ${b.replace(/\n/g, '\n           ')}`);
  else ours.forEach((r, i) => !sameTtl(r, theirs[i]) && problems.push(`${name} TTL of ${r.text}: ours ${r.ttl}, tinydns ${theirs[i].ttl}`));
  return problems;
}

function compare(ours: NormalResponse, theirs: NormalResponse): string[] {
  const problems: string[] = [];
  if (ours.rcode !== theirs.rcode) problems.push(`rcode ours ${ours.rcode}, tinydns ${theirs.rcode}`);
  if (JSON.stringify(ours.flags) !== JSON.stringify(theirs.flags)) problems.push(`flags ours ${JSON.stringify(ours.flags)}, tinydns ${JSON.stringify(theirs.flags)}`);
  if (ours.question !== theirs.question) problems.push(`question ours ${ours.question}, tinydns ${theirs.question}`);
  problems.push(...diffSection('answer', ours.answer, theirs.answer));
  problems.push(...diffSection('authority', ours.authority, theirs.authority));
  problems.push(...diffSection('additional', ours.additional, theirs.additional));
  return problems;
}

test.serial('file mode answers every corpus query as tinydns does (basic corpus)', async (t) => {
  const pair = await startPair('basic', 1);
  t.teardown(() => pair.cleanup());
  const failures: string[] = [];
  let compared = 0;
  for (const q of readQueries('basic')) {
    for (const rd of [false, true]) {
      const { theirs, ours } = await ask(pair, q.name, q.type, q.from, { rd });
      if (!theirs || !ours) {
        failures.push(`${q.name} ${q.type}: ${!theirs ? 'tinydns' : 'file mode'} did not answer`);
        continue;
      }
      const a = normalize(ours);
      const b = normalize(theirs);
      if (q.name === 'many.example.test') {
        // More than 8 addresses: both serve a random 8 of the 10.
        const all = new Set(Array.from({ length: 10 }, (_, i) => `many.example.test A "198.18.2.${i + 1}"`));
        for (const [who, r] of [['ours', a], ['tinydns', b]] as const) {
          if (r.answer.length !== 8 || !r.answer.every((x) => all.has(x.text))) failures.push(`${who} many.example.test: not 8 of the 10 addresses: ${r.answer.map((x) => x.text)}`);
        }
        a.answer = b.answer = [];
      }
      const problems = compare(a, b);
      if (problems.length) failures.push(`${q.name} ${q.type} rd=${rd}:\n  ${problems.join('\n  ')}`);
      compared++;
    }
  }
  t.deepEqual(failures, [], failures.join('\n'));
  t.true(compared >= 100);
});

test.serial('locations: tinydns and file mode pick the same records per client address', async (t) => {
  const pair = await startPair('locations', 2);
  t.teardown(() => pair.cleanup());
  const failures: string[] = [];
  for (const q of readQueries('locations')) {
    const { theirs, ours } = await ask(pair, q.name, q.type, q.from);
    if (!theirs || !ours) {
      failures.push(`${q.name} ${q.type} from ${q.from}: no answer`);
      continue;
    }
    const problems = compare(normalize(ours), normalize(theirs));
    if (problems.length) failures.push(`${q.name} ${q.type} from ${q.from}:\n  ${problems.join('\n  ')}`);
  }
  t.deepEqual(failures, [], failures.join('\n'));
});

test.serial('documented differences: out of zone, zone transfer, other classes', async (t) => {
  const pair = await startPair('basic', 3);
  t.teardown(() => pair.cleanup());

  // tinydns stays silent out of zone; we answer REFUSED so resolvers stop waiting.
  const out = await ask(pair, 'www.other.invalid', 'A', '127.0.0.1');
  t.is(out.theirs, null);
  t.is(normalize(out.ours!).rcode, 'REFUSED');

  // AXFR: tinydns NOTIMP, we REFUSED (no transfers offered).
  const axfr = await ask(pair, 'example.test', 'AXFR', '127.0.0.1');
  t.is(normalize(axfr.theirs!).rcode, 'NOTIMP');
  t.is(normalize(axfr.ours!).rcode, 'REFUSED');

  // A class other than IN/ANY: both FORMERR (tinydns also sets RA there; we never do).
  const ch = await ask(pair, 'example.test', 'A', '127.0.0.1', { qclass: 3 });
  t.is(normalize(ch.theirs!).rcode, 'FORMERR');
  t.is(normalize(ch.ours!).rcode, 'FORMERR');
  t.false(normalize(ch.ours!).flags.ra);

  // Over 512 bytes without EDNS even after dropping authority and additional: both set TC;
  // tinydns keeps ANCOUNT at 6 with no records (a malformed message), we send counts of 0.
  const big = await ask(pair, 'big.example.test', 'TXT', '127.0.0.1');
  t.true(normalize(big.theirs!).flags.tc);
  t.is(big.theirs!.readUInt16BE(6), 6);
  const oursBig = normalize(big.ours!);
  t.true(oursBig.flags.tc && oursBig.flags.qr && oursBig.flags.aa);
  t.is(oursBig.answer.length, 0);
  t.is(big.ours!.readUInt16BE(6), 0);
});

test.serial('referral over 512 bytes: TC when in-domain glue is lost (RFC 9471), as tinydns; sibling glue alone does not set TC', async (t) => {
  const pair = await startPair('basic', 4);
  t.teardown(() => pair.cleanup());
  const header = (m: Buffer) => ({ tc: (m[2] & 0x02) !== 0, aa: (m[2] & 0x04) !== 0, counts: [m.readUInt16BE(4), m.readUInt16BE(6), m.readUInt16BE(8), m.readUInt16BE(10)] });

  // In-domain glue (ns*.mid.example.test under mid.example.test) does not fit: both set TC.
  // tinydns cuts after the question but keeps the counts (malformed); we keep the NS records.
  const inDomain = await ask(pair, 'www.mid.example.test', 'A', '127.0.0.1');
  t.like(header(inDomain.theirs!), { tc: true, aa: false, counts: [1, 0, 8, 8] });
  t.is(inDomain.theirs!.length, 38, 'tinydns: header and question only');
  t.like(header(inDomain.ours!), { tc: true, aa: false, counts: [1, 0, 8, 0] });
  t.is(normalize(inDomain.ours!).authority.length, 8);

  // Only sibling glue (the NS names are in example.test, not under sib.example.test): tinydns sets
  // TC as for any referral over 512; RFC 9471 requires TC for in-domain glue only, and the
  // resolver can ask us for the sibling names, so we send the NS records without TC.
  const sibling = await ask(pair, 'www.sib.example.test', 'A', '127.0.0.1');
  t.like(header(sibling.theirs!), { tc: true, counts: [1, 0, 8, 8] });
  t.like(header(sibling.ours!), { tc: false, aa: false, counts: [1, 0, 8, 0] });

  // With room (EDNS 1232) the glue fits: no TC from us (tinydns ignores EDNS and stays at 512).
  const roomy = await ask(pair, 'www.mid.example.test', 'A', '127.0.0.1', { edns: { udpSize: 1232 } });
  t.like(header(roomy.ours!), { tc: false, counts: [1, 0, 8, 9] });
});

test.serial('DO bit (RFC 3225 §3): copied into our OPT; tinydns ignores EDNS and sends no OPT', async (t) => {
  const pair = await startPair('basic', 5);
  t.teardown(() => pair.cleanup());
  const optOf = (m: Buffer) => dnsPacket.decode(m).additionals!.find((a) => a.type === 'OPT') as (dnsPacket.OptAnswer & { flag_do: boolean }) | undefined;
  for (const dnssecOk of [true, false]) {
    for (const name of ['www.example.test', 'nothing-here.example.test']) {
      const r = await ask(pair, name, 'A', '127.0.0.1', { edns: { udpSize: 1232, dnssecOk } });
      t.is(optOf(r.theirs!), undefined, `tinydns ${name}`);
      t.is(optOf(r.ours!)?.flag_do, dnssecOk, `ours ${name} DO=${dnssecOk}`);
      t.deepEqual(normalize(r.ours!).answer, normalize(r.theirs!).answer);
    }
  }
  // Error answers (short responses) copy it too.
  const refused = await ask(pair, 'www.other.invalid', 'A', '127.0.0.1', { edns: { dnssecOk: true } });
  t.true(optOf(refused.ours!)!.flag_do);
});
