import test from 'ava';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../exit-codes.js';
import { runCli as cli } from '../cli-process.js';

test('a bad timeline is a usage error (exit 64) naming file, line, entry and field, before any lab is touched', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h8-replay-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.yml');
  writeFileSync(file, 'name: bad\nentries:\n  - at: 1s\n    fault: link-down\n    link: comfone\n');
  const r = await cli(['replay', 'no-such-lab', file]);
  t.is(r.code, EXIT.usage);
  t.is(r.stderr.split('\n')[0], `bgpdns-lab replay: ${file}:5: entries[0].link: link-down needs link: NODE:IF (e.g. comfone:eth1), got "comfone"`);
});

test('a missing timeline file is named', async (t) => {
  const r = await cli(['replay', 'no-such-lab', '/nonexistent/h8-timeline.yml']);
  t.is(r.code, EXIT.usage);
  t.is(r.stderr.split('\n')[0], 'bgpdns-lab replay: /nonexistent/h8-timeline.yml: cannot read the timeline: ENOENT');
});
