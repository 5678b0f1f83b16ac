import { readFile } from 'node:fs/promises';
import { attachLab } from '../../lab/destroy.js';
import { RunRecorder, machineFacts } from '../../run/recorder.js';
import { closeVtyClients } from '../../frr/frr-control.js';
import { parseTimeline } from '../../timeline/timeline-file.js';
import { describeViews, recordViews, replayTimeline } from '../../timeline/replay.js';
import { parseArgs, UsageError, type CliCommand } from '../command.js';
import { pickLab } from '../lab-arg.js';

export const command: CliCommand = {
  summary: 'replay a fault timeline (YAML) on a deployed lab and line it up with what routers and clients saw',
  usage: `usage: bgpdns-lab replay [lab] <timeline.yml>

Injects and reverts every entry of the timeline at its offset, watches the routers'
best path for watch.prefix and the clients' DNS answers (a query every watch.interval),
prints, per fault occurrence, what each router and client observed, and writes the run
record reports/<run>/run.json. The lab may be omitted when only one is deployed.
Exit 0: the timeline ran; 1: an entry could not be injected or reverted; 2: bad file or lab.

Timeline file (see labs/anycast/incidents/):
  name: comfone-flaps-then-outage
  watch: { prefix: 198.18.53.53/32, routers: [comfone], clients: [{node: cl-comfone, server: 198.18.53.53, name: whoami.anycast.lab, type: TXT}] }
  settle: 10s
  entries:
    - { at: 0s, fault: link-down, link: comfone:eth1, for: 5s, repeat: { count: 5, every: 20s } }
    - { at: 100s, fault: link-down, link: comfone:eth2, for: 90s }
faults: link-down, silent-drop, random-loss (link: NODE:IF); freeze, kill, session-reset, drain (node: NAME)`,
  async run(argv) {
    const { positional } = parseArgs(argv);
    if (positional.length < 1 || positional.length > 2) throw new UsageError('expected [lab] <timeline.yml>');
    const file = positional.at(-1)!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      process.stderr.write(`${file}: cannot read the timeline: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 2;
    }
    let timeline;
    try {
      timeline = parseTimeline(text, file);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      return 2;
    }
    const labName = pickLab(positional.length === 2 ? positional[0] : undefined);
    const lab = attachLab(labName);
    const recorder = new RunRecorder({ lab: labName, runtime: lab.runtime.name, scenarios: [`replay ${timeline.name}`] });
    let result;
    try {
      result = await replayTimeline(lab, timeline, recorder, (line) => process.stderr.write(`${line}\n`));
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      return 2;
    } finally {
      await closeVtyClients();
    }
    recordViews(recorder, result.views);
    for (const err of result.errors) recorder.assertion(`replay ${timeline.name}`, false, err);
    recorder.assertion(`replay ${timeline.name}: every entry injected and reverted`, result.errors.length === 0, result.errors.join('; ') || undefined);
    for (const line of describeViews(result.views, result.t0)) process.stdout.write(`${line}\n`);
    const { path } = await recorder.write(machineFacts());
    const met = result.errors.length === 0;
    process.stdout.write(`${JSON.stringify({ run: recorder.run, record: path, met })}\n`);
    return met ? 0 : 1;
  },
};
