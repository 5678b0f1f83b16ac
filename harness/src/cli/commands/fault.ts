import { endpointProblem, parseEndpoint } from '../../faults/fault.js';
import { FaultArgError, durationArg, type RawArgs } from '../../faults/fault-args.js';
import type { FaultDefinition, FaultParam } from '../../faults/definition.js';
import { FAULTS } from '../../faults/registry.js';
import type { LabHandle } from '../../lab/lab-handle.js';
import { monoNow } from '../../clock.js';
import { defineCommand, EXIT, UsageError, type OptionSpec } from '../command.js';
import { pickLab, pickNode } from '../lab-arg.js';

type Fault = FaultDefinition<unknown>;

/** The faults the command line can express (not those with structured arguments). */
const CLI_FAULTS = FAULTS.filter((f) => !f.params.some((p) => p.structured));
const findCliFault = (word: string | undefined) => CLI_FAULTS.find((f) => f.name === word || f.aliases?.includes(word!));
const isFaultWord = (word: string | undefined) => word === 'clear' || findCliFault(word) !== undefined;
const flagOf = (p: FaultParam) => p.flag ?? p.name;
const flagParams = (f: Fault) => f.params.filter((p) => !p.word);
const wordParams = (f: Fault) => f.params.filter((p) => p.word);

/** --for/--keep, and every fault's own options (from the registry). */
const options: Record<string, OptionSpec> = {
  for: { type: 'string' },
  keep: { type: 'boolean' },
  ...Object.fromEntries(CLI_FAULTS.flatMap((f) => flagParams(f).map((p) => [flagOf(p), { type: 'string' } as const]))),
};

/** "5s", "250ms", "2m", "1m30s" or plain milliseconds, > 0. */
export function parseDuration(text: string, flag: string): number {
  try {
    return durationArg({ [flag]: text }, flag)!;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A fault invocation with every value checked, before the lab is even looked at. */
export interface FaultPlan {
  fault: Fault | 'clear';
  target: string;
  node: string;
  iface?: string;
  /** The raw arguments, by parameter name, as the fault's parse() read them. */
  args: RawArgs;
  forMs?: number;
  keep: boolean;
}

const shapeOf = (f: Fault, word: string) => `${word} ${f.target === 'link' ? 'NODE:IF' : 'NODE'}${wordParams(f).map((p) => ` ${p.word}`).join('')}`;

/** Check the words and options of `fault` (no lab needed): every problem is a usage error. */
export function planFault(words: string[], values: Record<string, string | boolean | undefined>): { labWord?: string; plan: FaultPlan } {
  const rest = [...words];
  // [lab] <fault> …: the first word is the lab (name or topology file) unless it is a fault.
  const labWord = !isFaultWord(rest[0]) && isFaultWord(rest[1]) ? rest.shift() : undefined;
  const word = rest.shift() as string;
  if (!isFaultWord(word)) throw new UsageError(`expected a fault: ${[...CLI_FAULTS.flatMap((f) => [f.name, ...(f.aliases ?? [])]), 'clear'].join(', ')}${word !== undefined ? `; got "${word}"` : ''}`);
  const target = rest.shift();
  if (word === 'clear') {
    if (!target || rest.length) throw new UsageError('clear: expected clear NODE');
    const given = Object.keys(values).filter((k) => values[k] !== undefined);
    if (given.length) throw new UsageError(`--${given[0]} does not apply to clear`);
    return { labWord, plan: { fault: 'clear', target, node: target, args: {}, keep: false } };
  }
  const fault = findCliFault(word)!;
  const positional = wordParams(fault);
  if (!target || rest.length < positional.length) throw new UsageError(`${word}: expected ${shapeOf(fault, word)}`);
  if (rest.length > positional.length) throw new UsageError(`${word}: expected ${shapeOf(fault, word)}; unexpected "${rest.slice(positional.length).join(' ')}"`);
  const held = fault.lasting === 'held';
  for (const [flag, v] of Object.entries(values)) {
    if (v === undefined) continue;
    const takes = flag === 'for' || flag === 'keep' ? held : flagParams(fault).some((p) => flagOf(p) === flag);
    if (!takes) {
      const who = flag === 'for' || flag === 'keep' ? CLI_FAULTS.filter((f) => f.lasting === 'held') : CLI_FAULTS.filter((f) => flagParams(f).some((p) => flagOf(p) === flag));
      throw new UsageError(`--${flag} does not apply to ${fault.name} (only to ${who.map((f) => f.name).join(', ')})`);
    }
  }
  let node = target;
  let iface: string | undefined;
  if (fault.target === 'link') {
    try {
      ({ node, iface } = parseEndpoint(target));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  } else if (target.includes(':')) throw new UsageError(`${word}: expected a node name, got "${target}"`);
  const args: Record<string, unknown> = {};
  positional.forEach((p, i) => (args[p.name] = rest[i]));
  for (const p of flagParams(fault)) if (values[flagOf(p)] !== undefined) args[p.name] = values[flagOf(p)];
  try {
    fault.parse(args);
  } catch (e) {
    if (!(e instanceof FaultArgError)) throw e;
    const p = fault.params.find((x) => x.name === e.arg);
    throw new UsageError(`${p?.word ? `${word} ${p.word}` : `--${p ? flagOf(p) : e.arg}`}: ${e.problem}`);
  }
  const plan: FaultPlan = { fault, target, node, iface, args, keep: !!values.keep };
  if (values.for !== undefined) {
    if (values.keep) throw new UsageError('--for reverts the fault after a while, --keep leaves it in place: give one');
    plan.forMs = parseDuration(String(values.for), '--for');
  }
  return { labWord, plan };
}

/** The faults list of --help (and docs/cli.md), from the registry. */
function faultLines(): string {
  const lines: string[] = [];
  for (const f of CLI_FAULTS) {
    const names = [f.name, ...(f.aliases ?? [])].join('|');
    const opts = flagParams(f).map((p) => (p.required ? ` --${flagOf(p)} ${p.value}` : ` [--${flagOf(p)} ${p.value}]`)).join('');
    const head = `  ${shapeOf(f, names)}${opts}`;
    if (head.length < 36) lines.push(`${head.padEnd(36)}${f.summary}`);
    else lines.push(head, `${''.padEnd(36)}${f.summary}`);
  }
  lines.push(`${'  clear NODE'.padEnd(36)}undo the faults kept (--keep) on a node, each its own way`);
  return lines.join('\n');
}

export const command = defineCommand({
  summary: `inject a fault into a deployed lab (${CLI_FAULTS.map((f) => f.name).join(', ')}) and revert it`,
  usage: `usage: bgpdns-lab fault [lab | file.clab.yml] <fault> <target> [args] [--for DURATION | --keep]

faults (by name, or the short word after |):
${faultLines()}

A held fault is reverted after --for DURATION (500ms, 5s, 2m, 1m30s), or on Ctrl-C when
no duration is given. --keep leaves it in place and exits (undo with \`fault clear NODE\`;
a daemon killed with --keep stays down). session-reset is instantaneous; link-flap runs
its train and ends with the link up. The lab by name or by its topology file; it may be
omitted when only one is deployed. Every value (durations, counts, node, interface, role)
is checked before anything is injected.
  bgpdns-lab fault mh-demo link-down isp1:eth2 --for 5s
  bgpdns-lab fault drop c1:eth1 --keep
Exit 0: injected (and reverted); 1: it could not be injected or reverted;
64: usage error (bad value, no such lab, node, interface or role); 77: not root.`,
  options,
  async run({ positionals, values }) {
    const { labWord, plan } = planFault(positionals, values);
    const [{ attachLab }, { Faults }] = await Promise.all([import('../../lab/destroy.js'), import('../../faults/faults.js')]);
    const lab = attachLab(pickLab(labWord));
    const t0 = monoNow();
    const say = (m: string) => process.stderr.write(`+${Math.round(monoNow() - t0)} ms ${m}\n`);
    if (plan.fault === 'clear') return clear(lab, plan.node, say);
    const fault = plan.fault;
    checkInLab(lab, plan, fault);
    const faults = new Faults(lab);
    const h = await faults.apply(fault, plan.target, plan.args);
    say(`${h.injected.fault} ${h.injected.target} injected${h.injected.args && Object.keys(h.injected.args).length ? ` ${JSON.stringify(h.injected.args)}` : ''}`);
    if (fault.lasting === 'instant') return EXIT.ok;
    if (h.done) {
      await h.done;
      await h.revert();
      say(`${fault.name} ${plan.target} done; link up`);
      return EXIT.ok;
    }
    if (plan.keep) {
      say(`kept in place; undo with: bgpdns-lab fault ${lab.model.name} clear ${plan.node}`);
      return EXIT.ok;
    }
    if (plan.forMs !== undefined) {
      await new Promise((r) => setTimeout(r, plan.forMs));
    } else {
      say('holding until Ctrl-C');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    await h.revert();
    say(`${h.injected.fault} ${h.injected.target} reverted`);
    return EXIT.ok;
  },
});

/** Check what the plan names against the deployed lab (node, link interface, what the fault needs there); still nothing changed. */
function checkInLab(lab: LabHandle, plan: FaultPlan, fault: Fault): void {
  pickNode(lab, plan.node);
  const problem = endpointProblem(lab.model, plan.node, plan.iface) ?? fault.check?.(lab, plan.target, fault.parse(plan.args));
  if (problem) throw new UsageError(problem);
}

/** Undo whatever faults were kept on a node (idempotent): each fault's own clear, once. */
async function clear(lab: LabHandle, nodeName: string, say: (m: string) => void): Promise<number> {
  pickNode(lab, nodeName);
  const done: string[] = [];
  for (const undo of new Set(FAULTS.flatMap((f) => (f.clear ? [f.clear] : [])))) {
    const did = await undo(lab, nodeName);
    if (did) done.push(did);
  }
  say(`${nodeName}: ${done.join(', ') || 'nothing to undo'}`);
  return EXIT.ok;
}
