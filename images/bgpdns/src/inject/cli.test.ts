import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMrtFile } from './mrt-file.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/bgpdns.js');
const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, 'inject', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

test('bgpdns inject --write-mrt writes a synthetic table that reads back', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'h3-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'table.mrt.bz2');
  const r = await run(['--synthetic', '--ipv4', '1000', '--ipv6', '500', '--write-mrt', file]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /"event":"written"/);
  const back = await readMrtFile(file);
  t.is(back.compression, 'bzip2');
  t.is(back.table.ipv4, 1000);
  t.is(back.table.ipv6, 500);
});

test('bgpdns inject --shape dfz --write-mrt: a DFZ-shaped table with the outside-the-lab-ranges warning, reproducible from its seed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 't12-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const files = [join(dir, 'a.mrt'), join(dir, 'b.mrt')];
  for (const file of files) {
    const r = await run(['--synthetic', '--shape', 'dfz', '--ipv4', '800', '--ipv6', '200', '--seed', '5', '--write-mrt', file]);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /"event":"warning","message":"1000 prefixes of the DFZ-shaped synthetic table lie outside the lab ranges/);
  }
  const [a, b] = await Promise.all(files.map((f) => readMrtFile(f)));
  t.is(a.table.ipv4, 800);
  t.is(a.table.ipv6, 200);
  t.deepEqual(b.table.groups.map((g) => Buffer.from(g.nlri).toString('hex')).sort(), a.table.groups.map((g) => Buffer.from(g.nlri).toString('hex')).sort());
});

test('bgpdns inject: usage errors exit 2 naming the flag; an unreadable MRT file exits 1 naming it', async (t) => {
  const usage = await run(['--synthetic', '--peer', '198.18.0.2', '--local-as', 'x']);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /--local-as must be an integer/);
  const missing = await run(['--mrt', '/nonexistent/h3.mrt', '--peer', '198.18.0.2', '--local-as', '64500', '--peer-as', '64501', '--router-id', '198.18.0.1']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /\/nonexistent\/h3\.mrt: no such file/);
  const noNextHop = await run(['--synthetic', '--ipv4', '10', '--peer', '2001:db8::2', '--local-as', '64500', '--peer-as', '64501', '--router-id', '198.18.0.1']);
  t.is(noNextHop.code, 2);
  t.regex(noNextHop.stderr, /IPv4 routes need an explicit --next-hop4/);
});
