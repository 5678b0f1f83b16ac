import { attachLab, deployedLabs } from '../../lab/destroy.js';
import { Faults } from '../../faults/faults.js';
import type { FaultHandle } from '../../faults/fault.js';
import { NFT } from '../../faults/nft.js';
import type { Direction } from '../../faults/nft.js';
import { monoNow } from '../../clock.js';
import { parseArgs, UsageError, type CliCommand } from '../command.js';
import { pickLab } from '../lab-arg.js';

const KINDS = ['link-down', 'drop', 'loss', 'freeze', 'kill', 'flap', 'delay', 'clear'] as const;
type Kind = (typeof KINDS)[number];

/** "5s", "250ms", "2m", or plain milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new UsageError(`${flag}: expected a duration like 500ms, 5s or 2m, got "${text}"`);
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n;
}

function direction(flags: Map<string, string | true>): Direction {
  const d = flags.get('dir') ?? 'both';
  if (d !== 'in' && d !== 'out' && d !== 'both') throw new UsageError(`--dir: expected in, out or both, got ${String(d)}`);
  return d;
}

export const command: CliCommand = {
  summary: 'inject a fault into a deployed lab (link down, drop, loss, freeze, kill, flap, delay) and revert it',
  usage: `usage: bgpdns-lab fault [lab] <fault> <target> [args] [--for DURATION | --keep]

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

The fault is reverted after --for DURATION (500ms, 5s, 2m), or on Ctrl-C when no
duration is given. --keep leaves it in place and exits (undo with \`fault clear NODE\`).
The lab may be omitted when only one is deployed.
  bgpdns-lab fault mh-demo link-down isp1:eth2 --for 5s
  bgpdns-lab fault drop c1:eth1 --keep`,
  async run(argv) {
    const { positional, flags } = parseArgs(argv, ['for', 'dir', 'roles', 'count', 'period', 'down', 'peer']);
    const peerFlag = flags.get('peer');
    const peers = typeof peerFlag === 'string' ? peerFlag.split(',') : undefined;
    const words = [...positional];
    const labName = words.length > 0 && !KINDS.includes(words[0] as Kind) && deployedLabs().includes(words[0]) ? words.shift() : undefined;
    const kind = words.shift() as Kind | undefined;
    if (!kind || !KINDS.includes(kind)) throw new UsageError(`expected a fault: ${KINDS.join(', ')}`);
    const target = words.shift();
    if (!target) throw new UsageError(`${kind}: expected a target`);
    const lab = attachLab(pickLab(labName));
    const faults = new Faults(lab);
    const t0 = monoNow();
    const say = (m: string) => process.stderr.write(`+${Math.round(monoNow() - t0)} ms ${m}\n`);

    if (kind === 'clear') return clear(lab, target, say);

    let h: FaultHandle;
    switch (kind) {
      case 'link-down':
        h = await faults.linkDown(target);
        break;
      case 'drop':
        h = await faults.silentDrop(target, direction(flags), peers);
        break;
      case 'loss': {
        const pct = Number(words.shift());
        h = await faults.randomLoss(target, pct, direction(flags), peers);
        break;
      }
      case 'freeze': {
        const roles = flags.get('roles');
        h = await faults.freeze(target, typeof roles === 'string' ? roles.split(',') : undefined);
        break;
      }
      case 'kill': {
        const role = words.shift();
        if (!role) throw new UsageError('kill: expected NODE ROLE, e.g. kill isp1 bgpd');
        h = await faults.kill(target, role);
        break;
      }
      case 'flap': {
        const count = Number(flags.get('count'));
        const period = flags.get('period');
        if (!Number.isInteger(count) || typeof period !== 'string') throw new UsageError('flap: needs --count N and --period DURATION');
        const down = flags.get('down');
        const train = faults.flap(target, { count, periodMs: parseDuration(period, '--period'), ...(typeof down === 'string' ? { downMs: parseDuration(down, '--down') } : {}) });
        say(`flapping ${target}: ${count} × ${period}`);
        await train.done;
        await train.revert();
        say(`flap train on ${target} done; link up`);
        return 0;
      }
      case 'delay': {
        const ms = Number(words.shift());
        if (!Number.isFinite(ms)) throw new UsageError('delay: expected NODE:IF MS');
        h = await faults.delay(target, ms);
        break;
      }
    }
    say(`${h.injected.fault} ${h.injected.target} injected${h.injected.args && Object.keys(h.injected.args).length ? ` ${JSON.stringify(h.injected.args)}` : ''}`);
    if (flags.has('keep')) {
      say(`kept in place; undo with: bgpdns-lab fault ${lab.model.name} clear ${target.split(':')[0]}`);
      return 0;
    }
    const forFlag = flags.get('for');
    if (typeof forFlag === 'string') {
      await new Promise((r) => setTimeout(r, parseDuration(forFlag, '--for')));
    } else {
      say('holding until Ctrl-C');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    await h.revert();
    say(`${h.injected.fault} ${h.injected.target} reverted`);
    return 0;
  },
};

/** Undo whatever faults were kept on a node (idempotent). */
async function clear(lab: ReturnType<typeof attachLab>, nodeName: string, say: (m: string) => void): Promise<number> {
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
  return 0;
}
