import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', main, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('a bad timeline is refused (exit 2) naming file, line, entry and field, before any lab is touched', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h8-replay-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.yml');
  writeFileSync(file, 'name: bad\nentries:\n  - at: 1s\n    fault: link-down\n    link: comfone\n');
  const r = await cli(['replay', 'no-such-lab', file]);
  t.is(r.code, 2);
  t.is(r.stderr.trim(), `${file}:5: entries[0].link: link-down needs link: NODE:IF (e.g. comfone:eth1), got "comfone"`);
});

test('a missing timeline file is named', async (t) => {
  const r = await cli(['replay', 'no-such-lab', '/nonexistent/h8-timeline.yml']);
  t.is(r.code, 2);
  t.is(r.stderr.trim(), '/nonexistent/h8-timeline.yml: cannot read the timeline: ENOENT');
});
