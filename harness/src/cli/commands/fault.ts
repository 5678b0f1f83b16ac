import { isIP } from 'node:net';
import { endpointProblem, parseEndpoint, type FaultHandle } from '../../faults/fault.js';
import type { Direction } from '../../faults/nft.js';
import type { LabHandle } from '../../lab/lab-handle.js';
import { monoNow } from '../../clock.js';
import { parseDurationText } from '../../timeline/timeline-file.js';
import { defineCommand, EXIT, UsageError, wholeNumber, type OptionValues } from '../command.js';
import { pickLab, pickNode } from '../lab-arg.js';

const KINDS = ['link-down', 'drop', 'loss', 'freeze', 'kill', 'flap', 'delay', 'clear'] as const;
type Kind = (typeof KINDS)[number];
const isKind = (word: string | undefined): word is Kind => KINDS.includes(word as Kind);
/** Faults on one end of a link (NODE:IF); the others act on a node (NODE). */
const LINK_FAULTS: readonly Kind[] = ['link-down', 'drop', 'loss', 'flap', 'delay'];
/** The words after the target each fault takes. */
const EXTRA_WORDS: Partial<Record<Kind, string>> = { loss: 'PERCENT', kill: 'ROLE', delay: 'MS' };
/** Options that only some faults take. */
const ONLY_FOR: Record<string, readonly Kind[]> = {
  dir: ['drop', 'loss'],
  peer: ['drop', 'loss'],
  roles: ['freeze'],
  count: ['flap'],
  period: ['flap'],
  down: ['flap'],
  for: ['link-down', 'drop', 'loss', 'freeze', 'kill', 'delay'],
  keep: ['link-down', 'drop', 'loss', 'freeze', 'kill', 'delay'],
};

const options = {
  for: { type: 'string' },
  keep: { type: 'boolean' },
  dir: { type: 'string' },
  peer: { type: 'string' },
  roles: { type: 'string' },
  count: { type: 'string' },
  period: { type: 'string' },
  down: { type: 'string' },
} as const;

/** "5s", "250ms", "2m", "1m30s" or plain milliseconds, > 0. */
export function parseDuration(text: string, flag: string): number {
  const ms = parseDurationText(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (ms === undefined || !(ms > 0)) throw new UsageError(`${flag}: expected a duration like 500ms, 5s or 2m, got "${text}"`);
  return ms;
}

/** A fault invocation with every value checked, before the lab is even looked at. */
interface FaultPlan {
  kind: Kind;
  target: string;
  node: string;
  iface?: string;
  direction: Direction;
  peers?: string[];
  roles?: string[];
  percent?: number;
  role?: string;
  delayMs?: number;
  flap?: { count: number; periodMs: number; downMs?: number };
  forMs?: number;
  keep: boolean;
}

/** Check the words and options of `fault` (no lab needed): every problem is a usage error. */
export function planFault(words: string[], values: OptionValues<typeof options>): { labWord?: string; plan: FaultPlan } {
  const rest = [...words];
  // [lab] <fault> …: the first word is the lab (name or topology file) unless it is a fault.
  const labWord = !isKind(rest[0]) && isKind(rest[1]) ? rest.shift() : undefined;
  const kind = rest.shift();
  if (!isKind(kind)) throw new UsageError(`expected a fault: ${KINDS.join(', ')}${kind !== undefined ? `; got "${kind}"` : ''}`);
  const target = rest.shift();
  const extra = EXTRA_WORDS[kind];
  const shape = `${kind} ${LINK_FAULTS.includes(kind) ? 'NODE:IF' : 'NODE'}${extra ? ` ${extra}` : ''}`;
  if (!target || (extra && rest.length === 0)) throw new UsageError(`${kind}: expected ${shape}`);
  if (rest.length > (extra ? 1 : 0)) throw new UsageError(`${kind}: expected ${shape}; unexpected "${rest.slice(extra ? 1 : 0).join(' ')}"`);
  for (const [name, kinds] of Object.entries(ONLY_FOR)) {
    if (values[name as keyof typeof values] !== undefined && !kinds.includes(kind)) throw new UsageError(`--${name} does not apply to ${kind} (only to ${kinds.join(', ')})`);
  }
  let node = target;
  let iface: string | undefined;
  if (LINK_FAULTS.includes(kind)) {
    try {
      ({ node, iface } = parseEndpoint(target));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  } else if (target.includes(':')) throw new UsageError(`${kind}: expected a node name, got "${target}"`);
  const dir = values.dir ?? 'both';
  if (dir !== 'in' && dir !== 'out' && dir !== 'both') throw new UsageError(`--dir: expected in, out or both, got "${dir}"`);
  const plan: FaultPlan = { kind, target, node, iface, direction: dir, keep: !!values.keep };
  if (values.peer !== undefined) {
    plan.peers = values.peer.split(',');
    const bad = plan.peers.find((a) => isIP(a) === 0);
    if (bad !== undefined) throw new UsageError(`--peer: expected IP addresses separated by commas, got "${bad}"`);
  }
  if (values.roles !== undefined) {
    plan.roles = values.roles.split(',');
    if (plan.roles.some((r) => r === '')) throw new UsageError(`--roles: expected role names separated by commas, got "${values.roles}"`);
  }
  if (kind === 'loss') {
    plan.percent = wholeNumber(rest[0], 'loss PERCENT');
    if (plan.percent > 100) throw new UsageError(`loss PERCENT: expected a whole number 1–100, got "${rest[0]}"`);
  }
  if (kind === 'kill') plan.role = rest[0];
  if (kind === 'delay') {
    plan.delayMs = Number(rest[0]);
    if (!/^\d+(\.\d+)?$/.test(rest[0]) || !(plan.delayMs > 0)) throw new UsageError(`delay MS: expected milliseconds > 0, got "${rest[0]}"`);
  }
  if (kind === 'flap') {
    if (values.count === undefined || values.period === undefined) throw new UsageError('flap: needs --count N and --period DURATION');
    const periodMs = parseDuration(values.period, '--period');
    const downMs = values.down !== undefined ? parseDuration(values.down, '--down') : undefined;
    if (downMs !== undefined && downMs >= periodMs) throw new UsageError(`--down ${values.down} must be shorter than --period ${values.period}`);
    plan.flap = { count: wholeNumber(values.count, '--count'), periodMs, ...(downMs !== undefined ? { downMs } : {}) };
  }
  if (values.for !== undefined) {
    if (values.keep) throw new UsageError('--for reverts the fault after a while, --keep leaves it in place: give one');
    plan.forMs = parseDuration(values.for, '--for');
  }
  return { labWord, plan };
}

/** Check what the plan names against the deployed lab (node, link interface, roles); still nothing changed. */
function checkInLab(lab: LabHandle, plan: FaultPlan): void {
  const node = pickNode(lab, plan.node);
  const problem = endpointProblem(lab.model, plan.node, plan.iface);
  if (problem) throw new UsageError(problem);
  const roles = [...new Set(node.processes().map((p) => p.role))];
  for (const role of [...(plan.roles ?? []), ...(plan.role ? [plan.role] : [])]) {
    if (!roles.includes(role)) throw new UsageError(`node ${plan.node} has no process with role "${role}"; its roles: ${roles.join(', ') || 'none'}`);
  }
}

export const command = defineCommand({
  summary: 'inject a fault into a deployed lab (link down, drop, loss, freeze, kill, flap, delay) and revert it',
  usage: `usage: bgpdns-lab fault [lab | file.clab.yml] <fault> <target> [args] [--for DURATION | --keep]

faults:
  link-down NODE:IF                 interface down (revert: up)
  drop      NODE:IF [--dir in|out|both] [--peer ADDR,…]   silent blackhole via nft, link stays up
                                    (--peer: only traffic from/to those addresses)
  loss      NODE:IF PERCENT [--dir …] [--peer …]  random loss via nft numgen
  freeze    NODE [--roles bgpd,zebra]     SIGSTOP the node's processes (revert: SIGCONT)
  kill      NODE ROLE               SIGKILL a daemon (revert: start it again)
  flap      NODE:IF --count N --period DURATION [--down DURATION]
  delay     NODE:IF MS              netem delay (fails clearly where the kernel has no netem)
  clear     NODE                    undo kept faults on a node: remove its fault nft tables and
                                    netem qdiscs, bring its interfaces up, SIGCONT its processes
                                    (a daemon killed with --keep stays down)

The fault is reverted after --for DURATION (500ms, 5s, 2m, 1m30s), or on Ctrl-C when
no duration is given. --keep leaves it in place and exits (undo with \`fault clear NODE\`).
The lab by name or by its topology file; it may be omitted when only one is deployed.
Every value (durations, counts, node, interface, role) is checked before anything is injected.
  bgpdns-lab fault mh-demo link-down isp1:eth2 --for 5s
  bgpdns-lab fault drop c1:eth1 --keep
Exit 0: injected (and reverted); 1: it could not be injected or reverted;
64: usage error (bad value, no such lab, node, interface or role); 77: not root.`,
  options,
  async run({ positionals, values }) {
    const { labWord, plan } = planFault(positionals, values);
    const [{ attachLab }, { Faults }] = await Promise.all([import('../../lab/destroy.js'), import('../../faults/faults.js')]);
    const lab = attachLab(pickLab(labWord));
    checkInLab(lab, plan);
    const faults = new Faults(lab);
    const t0 = monoNow();
    const say = (m: string) => process.stderr.write(`+${Math.round(monoNow() - t0)} ms ${m}\n`);
    const { target } = plan;

    if (plan.kind === 'clear') return clear(lab, target, say);
    if (plan.kind === 'flap') {
      const train = faults.flap(target, plan.flap!);
      say(`flapping ${target}: ${plan.flap!.count} × ${values.period}`);
      await train.done;
      await train.revert();
      say(`flap train on ${target} done; link up`);
      return EXIT.ok;
    }
    let h: FaultHandle;
    switch (plan.kind) {
      case 'link-down':
        h = await faults.linkDown(target);
        break;
      case 'drop':
        h = await faults.silentDrop(target, plan.direction, plan.peers);
        break;
      case 'loss':
        h = await faults.randomLoss(target, plan.percent!, plan.direction, plan.peers);
        break;
      case 'freeze':
        h = await faults.freeze(target, plan.roles);
        break;
      case 'kill':
        h = await faults.kill(target, plan.role!);
        break;
      case 'delay':
        h = await faults.delay(target, plan.delayMs!);
        break;
    }
    say(`${h.injected.fault} ${h.injected.target} injected${h.injected.args && Object.keys(h.injected.args).length ? ` ${JSON.stringify(h.injected.args)}` : ''}`);
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

/** Undo whatever faults were kept on a node (idempotent). */
async function clear(lab: LabHandle, nodeName: string, say: (m: string) => void): Promise<number> {
  const { NFT } = await import('../../faults/nft.js');
  const node = lab.node(nodeName);
  const prefix = `bgpdnslab_${lab.model.name.replace(/[^A-Za-z0-9_]/g, '_')}_`;
  const tables = (await node.exec([NFT, 'list', 'tables'])).stdout
    .split('\n')
    .map((l) => /^table inet (\S+)$/.exec(l.trim())?.[1])
    .filter((t): t is string => !!t && t.startsWith(prefix));
  for (const t of tables) await node.exec([NFT, 'delete', 'table', 'inet', t]);
  const links = JSON.parse((await node.exec(['ip', '-j', 'link', 'show'])).stdout || '[]') as { ifname: string; flags: string[] }[];
  const down = links.filter((l) => l.ifname !== 'lo' && !l.flags.includes('UP'));
  for (const l of down) await node.exec(['ip', 'link', 'set', 'dev', l.ifname, 'up']);
  for (const p of node.processes()) p.signal('SIGCONT');
  for (const l of links) {
    if ((await node.exec(['tc', 'qdisc', 'show', 'dev', l.ifname])).stdout.includes('netem')) await node.exec(['tc', 'qdisc', 'del', 'dev', l.ifname, 'root']);
  }
  say(`${nodeName}: removed ${tables.length} fault table(s), brought up ${down.map((l) => l.ifname).join(', ') || 'no interface'}, resumed its processes`);
  return EXIT.ok;
}
