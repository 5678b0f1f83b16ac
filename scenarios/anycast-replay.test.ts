/**
 * Reproduce a partner outage from a timeline: the CI-sized Comfone incident
 * (labs/anycast/incidents/ci-comfone-flaps.yml) replayed on the anycast lab by the
 * real CLI (`bgpdns-lab replay <lab> <timeline>`, attaching to the lab this test
 * deployed), then the run record is read back: every fault occurrence lined up
 * with what each partner router and client saw. Comfone's trouble must stay
 * Comfone's: Sparkle's and the future partner's service is untouched.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadTopology, deploy, type LabHandle, type RunRecord, type OccurrenceView } from '@bgpdns-lab/harness';
import { LAB_FILE } from './anycast-lab.js';

const LAB = 'anycast-rp';
const timeline = fileURLToPath(new URL('../labs/anycast/incidents/ci-comfone-flaps.yml', import.meta.url));
const main = fileURLToPath(new URL('../harness/src/cli/main.ts', import.meta.url));
let lab: LabHandle | undefined;

test.before(async () => {
  const model = await loadTopology(LAB_FILE);
  model.name = LAB;
  lab = await deploy(model);
});

test.after.always(async () => {
  await lab?.destroy();
});

function replay(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', main, 'replay', LAB, timeline], { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test.serial('the Comfone incident replays and only Comfone sees it', async (t) => {
  t.timeout(180_000);
  const r = await replay();
  t.is(r.code, 0, r.stderr);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { run: string; record: string; met: boolean };
  t.true(last.met);
  const record = JSON.parse(await readFile(last.record, 'utf8')) as RunRecord;
  const views = record.events.filter((e) => e.type === 'timeline-window').map((e) => e.detail as unknown as OccurrenceView);
  t.is(views.length, 6, 'one window per fault occurrence');
  t.true(record.faults.filter((f) => f.action === 'inject').length >= 6);

  const flaps = views.filter((v) => v.entry === 0);
  t.is(flaps.length, 3);
  // Comfone's link to site A goes down: its router moves to site B at once (fast external
  // failover). Site A's route comes back only ~1.4 s after the session re-establishes, so a
  // flap that starts before that finds Comfone still on site B: nothing more to move.
  t.true(flaps[0].routers.comfone.bestPathChanges >= 1, `flap #1: comfone best path moved (${JSON.stringify(flaps[0].routers.comfone)})`);
  t.true(flaps.reduce((n, v) => n + v.routers.comfone.bestPathChanges, 0) >= 2, 'comfone moved to site B and back');
  t.is(flaps[2].routers.comfone.bestAtEnd, 'via 198.18.11.1', 'comfone back on site A after the flaps');
  for (const v of flaps) t.true(v.clients['cl-comfone'].outageMs < 1000, `flap #${v.repetition}: cl-comfone outage ${v.clients['cl-comfone'].outageMs} ms`);
  const reset = views.find((v) => v.fault === 'session-reset')!;
  t.is(reset.routers.comfone.bestPathChanges, 0, 'resetting the backup (site B) session leaves the best path alone');
  t.is(reset.clients['cl-comfone'].lost, 0);

  const outage = views.filter((v) => v.entry === 2 || v.entry === 3);
  for (const v of outage) {
    t.true(v.clients['cl-comfone'].outageMs >= 3000, `both Comfone links down 4 s: cl-comfone without answers ${v.clients['cl-comfone'].outageMs} ms`);
    t.is(v.routers.comfone.bestAtEnd, 'via 198.18.11.1', 'comfone back on site A once its links return');
  }
  for (const v of views) {
    for (const other of ['sparkle', 'future']) {
      t.is(v.routers[other].bestPathChanges, 0, `entries[${v.entry}] #${v.repetition}: ${other}'s best path untouched`);
      t.is(v.clients[`cl-${other}`].lost, 0, `entries[${v.entry}] #${v.repetition}: cl-${other} lost nothing`);
      t.deepEqual(v.clients[`cl-${other}`].sites, ['site-a']);
    }
  }
  t.regex(r.stdout, /entries\[0\] #1 link-down comfone:eth1/);
  t.regex(r.stdout, /client cl-sparkle: 0\/\d+ queries unanswered/);
});
