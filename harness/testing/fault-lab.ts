/**
 * Test support for the fault modules' tests: a real two-router lab made by deploy()
 * from a small topology file (r1 AS 64501 — r2 AS 64502 over r1:eth1–r2:eth1, eBGP
 * with 3/12 s timers), a Faults instance whose events are kept, what the tests
 * observe (session state, TCP reachability, link state, nft tables), and a check
 * that a reverted fault left nothing behind.
 *   const fx = await faultLab('ld');          // lab f15-ld-<pid>
 *   … await fx.faults.linkDown('r1:eth1') …
 *   t.deepEqual(await fx.leftFaults(), []);
 *   await fx.destroy();                        // lab, temp dir; nothing of the lab remains
 */
import type { TestFn } from 'ava';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deploy } from '../src/lab/deploy.js';
import { destroyLab, leftovers } from '../src/lab/destroy.js';
import type { DeployedLab } from '../src/lab/handle.js';
import { Faults } from '../src/faults/faults.js';
import { NFT } from '../src/faults/nft.js';
import { MAINTENANCE_FILE } from '../src/faults/catalog/drain.js';
import { closeVtyClients, frr } from '../src/frr/frr-control.js';
import { waitUntil, VtyClient } from '@bgpdns-lab/bgpdns';
import type { FaultEvent } from '../src/run/record.js';

export const R1 = '198.18.254.1';
export const R2 = '198.18.254.2';

const frrConf = (name: string, asn: number, addr: string, peer: string, peerAs: number) => `hostname ${name}
interface eth1
 ip address ${addr}/30
exit
router bgp ${asn}
 bgp router-id ${addr}
 no bgp ebgp-requires-policy
 neighbor ${peer} remote-as ${peerAs}
 neighbor ${peer} timers 3 12
 neighbor ${peer} timers connect 1
exit
`;

export interface FaultLab {
  readonly lab: DeployedLab;
  readonly faults: Faults;
  /** Every fault event logged, in order. */
  readonly recorded: FaultEvent[];
  /** r2's view of its session to r1. */
  sessionState(): Promise<string | undefined>;
  established(): Promise<unknown>;
  /** r2's counters of its session to r1 (established and dropped connections). */
  sessionCounters(): Promise<{ established: number; dropped: number }>;
  /** Can r2 open a TCP connection to r1's BGP port within 2 s (generous for a loaded machine)? */
  tcpReachable(): Promise<boolean>;
  linkState(node: string, iface: string): Promise<'up' | 'down'>;
  nftTables(node: string): Promise<string>;
  /** What any fault left in the lab: fault nft tables, links down, netem, stopped processes, maintenance files. */
  leftFaults(): Promise<string[]>;
  destroy(): Promise<void>;
}

/** Deploy the lab `f15-<short>-<pid>`; `short` names the test file's fault. */
export async function faultLab(short: string): Promise<FaultLab> {
  const name = `f15-${short}-${process.pid.toString(36)}`;
  const dir = await mkdtemp(path.join(tmpdir(), `${name}-`));
  const recorded: FaultEvent[] = [];
  let lab: DeployedLab | undefined;
  const destroy = async () => {
    await closeVtyClients().catch(() => undefined);
    await (lab ? lab.destroy() : destroyLab(name));
    await rm(dir, { recursive: true, force: true });
    const left = await leftovers(name);
    if (left.length) throw new Error(`lab ${name} left ${left.map((l) => `${l.type} ${l.id}`).join(', ')}`);
  };
  try {
    await mkdir(path.join(dir, 'r1'));
    await mkdir(path.join(dir, 'r2'));
    await writeFile(path.join(dir, 'r1', 'frr.conf'), frrConf('r1', 64501, R1, R2, 64502));
    await writeFile(path.join(dir, 'r2', 'frr.conf'), frrConf('r2', 64502, R2, R1, 64501));
    const file = path.join(dir, `${name}.clab.yml`);
    await writeFile(
      file,
      `name: ${name}
topology:
  nodes:
    r1: { kind: frr, startup-config: r1/frr.conf }
    r2: { kind: frr, startup-config: r2/frr.conf }
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
`,
    );
    lab = await deploy(file);
  } catch (err) {
    await destroy().catch(() => undefined);
    throw err;
  }
  const l = lab;
  const faults = new Faults(l, { fault: (ev) => recorded.push(ev) });
  const sessionState = async () => (await frr(l.node('r2')).bgpSummary()).ipv4Unicast?.peers[R1]?.state;
  const linkState = async (node: string, iface: string) => {
    const [info] = JSON.parse((await l.node(node).exec(['ip', '-j', 'link', 'show', 'dev', iface])).stdout) as { flags: string[] }[];
    return info.flags.includes('UP') ? ('up' as const) : ('down' as const);
  };
  const nftTables = async (node: string) => (await l.node(node).exec([NFT, 'list', 'tables'])).stdout;
  return {
    lab: l,
    faults,
    recorded,
    sessionState,
    established: () => waitUntil(sessionState, (s) => s === 'Established', { what: 'r2–r1 session Established', timeout: 30_000, interval: 50 }),
    async sessionCounters() {
      const n = await frr(l.node('r2')).json<Record<string, { connectionsEstablished: number; connectionsDropped: number }>>(`show bgp neighbors ${R1} json`);
      return { established: n[R1].connectionsEstablished, dropped: n[R1].connectionsDropped };
    },
    tcpReachable: async () => (await l.node('r2').exec(['timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${R1}/179`])).exitCode === 0,
    linkState,
    nftTables,
    async leftFaults() {
      const left: string[] = [];
      for (const node of ['r1', 'r2']) {
        const n = l.node(node);
        if (/bgpdnslab_/.test(await nftTables(node))) left.push(`${node}: fault nft table`);
        if ((await linkState(node, 'eth1')) !== 'up') left.push(`${node}: eth1 down`);
        if ((await n.exec(['tc', 'qdisc', 'show', 'dev', 'eth1'])).stdout.includes('netem')) left.push(`${node}: netem on eth1`);
        for (const p of n.processes()) {
          const status = await readFile(`/proc/${p.pid}/status`, 'utf8').catch(() => '');
          if (/State:\s+T/.test(status)) left.push(`${node}: ${p.role} (pid ${p.pid}) stopped`);
        }
        if (existsSync(path.join(n.dir, MAINTENANCE_FILE))) left.push(`${node}: maintenance file`);
        // Frozen by any mechanism (SIGSTOP or the runtime's freezer), or killed and not restarted: the daemon does not answer.
        for (const daemon of ['zebra', 'bgpd']) {
          const vty = new VtyClient(n.vtySocket(daemon), { commandTimeoutMs: 3000 });
          await vty.command('show version').then(
            () => undefined,
            (e: Error) => left.push(`${node}: ${daemon} does not answer (${e.message})`),
          );
          await vty.close();
        }
      }
      return left;
    },
    destroy,
  };
}

/**
 * The hooks every fault test file has: deploy its lab before, revert what is left
 * and destroy it after (even on failure). Returns the lab once `before` has run.
 *   const lab = useFaultLab(test, 'ld');   // then lab().faults … in each test
 */
export function useFaultLab(test: TestFn, short: string): () => FaultLab {
  let fx: FaultLab | undefined;
  test.before(async () => {
    fx = await faultLab(short);
  });
  test.after.always(async () => {
    await fx?.faults.revertAll().catch(() => undefined);
    await fx?.destroy();
  });
  return () => fx!;
}
