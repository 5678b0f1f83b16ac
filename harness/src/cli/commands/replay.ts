import { readFile } from 'node:fs/promises';
import { parseTimeline } from '../../timeline/timeline-file.js';
import { FAULTS } from '../../faults/registry.js';
import { defineCommand, EXIT, expectPositionals, UsageError } from '../command.js';
import { pickLab } from '../lab-arg.js';

export const command = defineCommand({
  summary: 'replay a fault timeline (YAML) on a deployed lab and line it up with what routers and clients saw',
  usage: `usage: bgpdns-lab replay [lab | file.clab.yml] <timeline.yml>

Injects and reverts every entry of the timeline at its offset, watches the routers'
best path for watch.prefix and the clients' DNS answers (a query every watch.interval),
prints, per fault occurrence, what each router and client observed, and writes the run
record reports/<run>/run.json. The lab by name or by its topology file; it may be
omitted when only one is deployed. The timeline is checked (fields, and every node and
link it names against the lab) before anything is injected.
Exit 0: the timeline ran; 1: an entry could not be injected or reverted;
64: usage error, bad timeline file or no such lab; 77: not root.

Timeline file (see labs/anycast/incidents/):
  name: comfone-flaps-then-outage
  watch: { prefix: 198.18.53.53/32, routers: [comfone], clients: [{node: cl-comfone, server: 198.18.53.53, name: whoami.anycast.lab, type: TXT}] }
  settle: 10s
  entries:
    - { at: 0s, fault: link-down, link: comfone:eth1, for: 5s, repeat: { count: 5, every: 20s } }
    - { at: 100s, fault: link-down, link: comfone:eth2, for: 90s }
${timelineFaultsLine()}`,
  options: {},
  async run({ positionals }) {
    expectPositionals(positionals, 1, 2, '[lab] <timeline.yml>');
    const file = positionals.at(-1)!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UsageError(`${file}: cannot read the timeline: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const timeline = asUsageError(() => parseTimeline(text, file));
    const [{ attachLab }, { RunRecorder, machineFacts }, { closeVtyClients }, { checkAgainstLab, describeViews, recordViews, replayTimeline }] = await Promise.all([
      import('../../lab/destroy.js'),
      import('../../run/recorder.js'),
      import('../../frr/frr-control.js'),
      import('../../timeline/replay.js'),
    ]);
    const labName = pickLab(positionals.length === 2 ? positionals[0] : undefined);
    const lab = attachLab(labName);
    asUsageError(() => checkAgainstLab(timeline, lab));
    const recorder = new RunRecorder({ lab: labName, runtime: lab.runtime.name, scenarios: [`replay ${timeline.name}`] });
    let result;
    try {
      result = await replayTimeline(lab, timeline, recorder, (line) => process.stderr.write(`${line}\n`));
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
    return met ? EXIT.ok : EXIT.failed;
  },
});

/** A bad timeline is a bad argument: the message names file, line, entry and field. */
function asUsageError<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The faults a timeline may name, from the registry (args as in \`bgpdns-lab fault --help\`). */
function timelineFaultsLine(): string {
  const names = (target: 'link' | 'node') => FAULTS.filter((f) => f.target === target).map((f) => f.name).join(', ');
  return `faults: ${names('link')} (link: NODE:IF); ${names('node')} (node: NAME);\nargs: as the fault's arguments by name (e.g. { percent: 20, direction: in }, { role: bgpd }, { peer: 198.18.1.1 })`;
}
