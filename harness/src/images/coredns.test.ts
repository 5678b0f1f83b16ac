/**
 * CoreDNS is never downloaded: without a binary the image is skipped with the
 * reason; with one (BGPDNS_COREDNS_BINARY) it is built FROM the offline base, and
 * the binary's content is part of the image's hash. Needs an engine and the base
 * image (`./bgpdns-lab test` brings both up).
 */
import test from 'ava';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImages } from './build.js';
import { imageLabels, removeImage } from '../runtime/docker/engine.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test.serial('a user-supplied coredns binary becomes bgpdns-lab/coredns; another binary, another image', async (t) => {
  t.timeout(120_000);
  const dir = await mkdtemp(path.join(tmpdir(), 'h7-coredns-'));
  const binary = path.join(dir, 'coredns');
  const before = process.env.BGPDNS_COREDNS_BINARY;
  process.env.BGPDNS_COREDNS_BINARY = binary;
  const refs: string[] = [];
  t.teardown(async () => {
    if (before === undefined) delete process.env.BGPDNS_COREDNS_BINARY;
    else process.env.BGPDNS_COREDNS_BINARY = before;
    for (const ref of [...refs, 'bgpdns-lab/coredns:latest']) await removeImage(ref);
    await rm(dir, { recursive: true, force: true });
  });
  const build = async () => (await buildImages({ repoRoot: REPO, only: ['coredns'], log: () => undefined })).find((r) => r.name === 'coredns')!;

  await writeFile(binary, '#!/bin/sh\necho "CoreDNS-h7-fake-1"\n');
  await chmod(binary, 0o755);
  const first = await build();
  refs.push(first.ref);
  t.is(first.status, 'built');
  t.is((await imageLabels(first.ref))?.['bgpdns-lab.inputs-hash'], first.hash);
  t.is((await build()).status, 'cached');

  await writeFile(binary, '#!/bin/sh\necho "CoreDNS-h7-fake-2"\n');
  const second = await build();
  refs.push(second.ref);
  t.is(second.status, 'built');
  t.not(second.ref, first.ref);
});

test.serial('without a binary coredns is skipped, saying where to put one', async (t) => {
  const before = process.env.BGPDNS_COREDNS_BINARY;
  process.env.BGPDNS_COREDNS_BINARY = '/nonexistent/h7/coredns';
  t.teardown(() => {
    if (before === undefined) delete process.env.BGPDNS_COREDNS_BINARY;
    else process.env.BGPDNS_COREDNS_BINARY = before;
  });
  const results = await buildImages({ repoRoot: REPO, only: ['coredns'], log: () => undefined });
  const coredns = results.find((r) => r.name === 'coredns')!;
  t.is(coredns.status, 'skipped');
  t.regex(coredns.reason!, /no CoreDNS binary supplied .*images\/coredns\/README\.md/);
});
