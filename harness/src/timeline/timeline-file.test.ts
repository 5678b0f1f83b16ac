import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { occurrences, parseDurationText, parseTimeline, timelineLengthMs } from './timeline-file.js';

const incidents = fileURLToPath(new URL('../../../labs/anycast/incidents/', import.meta.url));

test('durations: units, combinations, plain milliseconds; nonsense is undefined', (t) => {
  t.is(parseDurationText('20s'), 20_000);
  t.is(parseDurationText('500ms'), 500);
  t.is(parseDurationText('1m30s'), 90_000);
  t.is(parseDurationText('2m'), 120_000);
  t.is(parseDurationText(1500), 1500);
  t.is(parseDurationText('soon'), undefined);
  t.is(parseDurationText(''), undefined);
  t.is(parseDurationText(-1), undefined);
});

test('the shipped incident: five flaps 20 s apart, then a 90 s outage of both links', (t) => {
  const file = `${incidents}comfone-flaps-then-outage.yml`;
  const tl = parseTimeline(readFileSync(file, 'utf8'), file);
  const occ = occurrences(tl);
  t.deepEqual(
    occ.map((o) => [o.entry.index, o.repetition, o.startMs, o.endMs, o.entry.target]),
    [
      [0, 1, 0, 3000, 'comfone:eth1'],
      [0, 2, 20_000, 23_000, 'comfone:eth1'],
      [0, 3, 40_000, 43_000, 'comfone:eth1'],
      [0, 4, 60_000, 63_000, 'comfone:eth1'],
      [0, 5, 80_000, 83_000, 'comfone:eth1'],
      [1, 1, 100_000, 190_000, 'comfone:eth1'],
      [2, 1, 100_000, 190_000, 'comfone:eth2'],
    ],
  );
  t.is(timelineLengthMs(tl), 190_000);
  t.is(tl.watch.clients.length, 3);
  t.is(tl.settleMs, 10_000);
});

test('the CI timeline parses', (t) => {
  const file = `${incidents}ci-comfone-flaps.yml`;
  const tl = parseTimeline(readFileSync(file, 'utf8'), file);
  t.is(occurrences(tl).length, 6);
  t.is(timelineLengthMs(tl), 16_000);
});

const bad = (body: string) => `name: x\nentries:\n${body}`;

test('an alias is resolved to the registry name, and the arguments are kept as written', (t) => {
  const tl = parseTimeline(bad('  - { at: 0, fault: loss, link: a:eth1, args: { percent: 20, direction: in }, for: 1s }\n'), 't.yml');
  t.is(tl.entries[0].fault, 'random-loss');
  t.deepEqual(tl.entries[0].args, { percent: 20, direction: 'in' });
});

test('errors name the file, line, entry and field', (t) => {
  const cases: [string, string][] = [
    [bad('  - at: soon\n    fault: link-down\n    link: a:eth1\n'), 't.yml:3: entries[0].at: expected an offset like "20s", "500ms", "1m30s" or milliseconds, got "soon"'],
    [bad('  - at: 1s\n    fault: meltdown\n    node: a\n'), 't.yml:4: entries[0].fault: unknown fault "meltdown"; one of delay, link-flap (flap), link-down, random-loss (loss), silent-drop (drop), drain, freeze, frr-config, kill, session-reset'],
    [bad('  - at: 1s\n    fault: link-down\n    node: a\n'), 't.yml:5: entries[0].node: link-down acts on a link end: use link: NODE:IF'],
    [bad('  - at: 1s\n    fault: freeze\n    node: a\n  - at: 2s\n    fault: kill\n    node: a\n'), 't.yml:6: entries[1].args: kill needs args.role: the role of the daemon to kill (e.g. dns, bgpd)'],
    [bad('  - at: 1s\n    fault: link-down\n    link: a:eth1\n    for: 5s\n    repeat: { count: 3, every: 5s }\n'), 't.yml:6: entries[0].for: 5s is not shorter than repeat.every (5s): the repetitions would overlap'],
    [bad('  - at: 1s\n    fault: link-down\n    link: a:eth1\n    for: 5s\n  - at: 3s\n    fault: link-down\n    link: a:eth1\n'), 't.yml:7: entries[1].at: overlaps entries[0] (link-down on a:eth1 from 1000 ms)'],
    [bad('  - at: 1s\n    fault: session-reset\n    node: a\n    args: { peer: 198.18.1.1 }\n    for: 2s\n'), 't.yml:7: entries[0].for: session-reset is instantaneous; it has no duration'],
    [bad('  - at: 1s\n    fault: link-down\n    link: a:eth1\n    when: later\n'), 't.yml:6: entries[0].when: unknown field; known: at, fault, node, link, args, for, repeat'],
    [bad('  - at: 1s\n    fault: random-loss\n    link: a:eth1\n    args: { percent: 120 }\n'), 't.yml:6: entries[0].args.percent: expected a whole number 1–100, got 120'],
    [bad('  - at: 1s\n    fault: drop\n    link: a:eth1\n    args: { direction: in, percent: 5 }\n'), 't.yml:6: entries[0].args.percent: silent-drop takes no argument "percent"; it takes direction, peers'],
    [bad('  - at: 1s\n    fault: flap\n    link: a:eth1\n    args: { count: 2, period: 1s }\n    for: 5s\n'), 't.yml:7: entries[0].for: link-flap runs its own course (its arguments say how long); it takes no for:'],
    ['name: x\nentries: []\n', 't.yml:2: entries: expected a non-empty list of timeline entries'],
    ['name: x\nwatch: { routers: [r1] }\nentries:\n  - { at: 0, fault: drain, node: a }\n', 't.yml:2: watch.routers: watching routers needs watch.prefix'],
    ['entries:\n  - { at: 0, fault: drain, node: a }\n', 't.yml: name: expected the timeline name as a string'],
    ['name: x\nentries:\n  - at: [\n', 't.yml:4: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  ];
  for (const [text, message] of cases) {
    const err = t.throws(() => parseTimeline(text, 't.yml'));
    t.is(err!.message.split(' at line')[0], message);
  }
});
