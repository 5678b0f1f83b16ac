/**
 * Files copied into a container through the engine (a node on another host):
 * binds land at their container paths, the node directory's changed files only,
 * with their modes, never the harness's own samples and logs. Needs the local
 * engine and the client image (`./bgpdns-lab test` brings both up). Lab mh17-files.
 */
import test from 'ava';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LABEL_LAB, createAndStart, removeContainer } from './containers.js';
import { execIn } from './exec.js';
import { NodeDirCopies, copyBinds } from './node-files.js';

const LAB = 'mh17-files';
let id = '';
let work = '';
let nodeDir = '';

test.before(async (t) => {
  t.timeout(60_000);
  work = await mkdtemp(path.join(tmpdir(), `${LAB}-`));
  nodeDir = path.join(work, 'node');
  ({ id } = await createAndStart({
    name: `${LAB}-n1`, image: 'bgpdns-lab/client:latest', hostname: 'n1', labels: { [LABEL_LAB]: LAB }, env: {}, binds: [], volumes: [nodeDir], capAdd: [], sysctls: {}, cmd: ['sleep', 'infinity'],
  }));
});

test.after.always(async () => {
  if (id) await removeContainer(id);
  if (work) await rm(work, { recursive: true, force: true });
});

const cat = async (file: string) => (await execIn(id, ['cat', file])).stdout;

test.serial('binds land at their container paths, renamed as the file says', async (t) => {
  const src = path.join(work, 'isp1.frr.conf');
  await writeFile(src, 'hostname isp1\n');
  const dir = path.join(work, 'dns');
  await mkdir(dir);
  await writeFile(path.join(dir, 'data'), '+a.example:198.18.16.1\n');
  await copyBinds({ id }, [`${src}:/etc/frr/frr.conf`, `${dir}:${dir}:ro`]);
  t.is(await cat('/etc/frr/frr.conf'), 'hostname isp1\n');
  t.is(await cat(path.join(dir, 'data')), '+a.example:198.18.16.1\n');
});

test.serial('the node directory: what changed since the last copy, with its mode; the harness\'s own samples stay here', async (t) => {
  const copies = new NodeDirCopies();
  await mkdir(path.join(nodeDir, 'bin'), { recursive: true });
  await writeFile(path.join(nodeDir, 'bgpd.conf'), 'router bgp 64500\n');
  await writeFile(path.join(nodeDir, 'bin', 'vtysh'), '#!/bin/sh\necho wrapped\n');
  await chmod(path.join(nodeDir, 'bin', 'vtysh'), 0o755);
  await writeFile(path.join(nodeDir, 'dns-prober-1.jsonl'), '{"at":1}\n');
  t.deepEqual((await copies.sync({ id }, nodeDir)).map((f) => path.relative(nodeDir, f)).sort(), ['bgpd.conf', 'bin/vtysh']);
  t.is((await execIn(id, [path.join(nodeDir, 'bin', 'vtysh')])).stdout, 'wrapped\n', 'mode travels with the file');
  t.is((await execIn(id, ['test', '-e', path.join(nodeDir, 'dns-prober-1.jsonl')])).exitCode, 1);
  t.deepEqual(await copies.sync({ id }, nodeDir), [], 'nothing changed, nothing copied');
  await writeFile(path.join(nodeDir, 'bgpd.conf'), 'router bgp 64501\n');
  t.deepEqual(await copies.sync({ id }, nodeDir), [path.join(nodeDir, 'bgpd.conf')]);
  t.is(await cat(path.join(nodeDir, 'bgpd.conf')), 'router bgp 64501\n');
});

test.serial('a bind whose file is missing is an error naming the bind', async (t) => {
  const missing = path.join(work, 'missing.conf');
  await t.throwsAsync(copyBinds({ id }, [`${missing}:/etc/frr/frr.conf`]), { message: new RegExp(`bind ${missing}:/etc/frr/frr.conf`) });
});
