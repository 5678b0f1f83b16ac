/**
 * Bench support (bench/sorter.ts, bench/_bird.ts, bench/bgp-inject-frr.ts), not a lab: a
 * throwaway pair of network namespaces, `<prefix>s<pid>` (where our code runs) and
 * `<prefix>f<pid>` (FRR bgpd -Z), joined by one veth with 198.18.10.1/30 + 2001:db8:10::1/64
 * (ours) and 198.18.10.2/30 + 2001:db8:10::2/64 (FRR). Needs root and FRR installed.
 * stop() removes everything it made, even after a failed start.
 *
 * Why not a lab made by deploy(): the sorter bench feeds FRR DFZ-shaped tables (prefixes
 * outside the lab ranges), which the address rules allow only to a speaker that installs
 * nothing into a kernel FIB, i.e. bgpd -Z without zebra; the frr kind always runs zebra.
 * Tests use deploy() labs (harness/testing/deploy-test-lab.ts), never this.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { VtyClient } from '@bgpdns-lab/harness';

export const OUR_V4 = '198.18.10.1';
export const OUR_V6 = '2001:db8:10::1';
export const FRR_V4 = '198.18.10.2';
export const FRR_V6 = '2001:db8:10::2';

/**
 * bgpd config of an FRR listener (AS 4200000001) that takes our speaker's table (AS 64500)
 * over both families. The outbound deny keeps bgpd from echoing the whole table back to
 * its sole peer (seen with FRR 8.4.4), which would otherwise dominate what a benchmark measures.
 */
export function frrListenerConfig(hostname: string): string {
  return `hostname ${hostname}
router bgp 4200000001
 bgp router-id ${FRR_V4}
 no bgp ebgp-requires-policy
 neighbor ${OUR_V4} remote-as 64500
 address-family ipv4 unicast
  neighbor ${OUR_V4} route-map deny-all out
 exit-address-family
 address-family ipv6 unicast
  neighbor ${OUR_V4} activate
  neighbor ${OUR_V4} route-map deny-all out
 exit-address-family
route-map deny-all deny 10
`;
}

export interface Child {
  proc: ChildProcess;
  /** stdout lines parsed as JSON (other lines as {event:'text', line}). */
  events: Record<string, unknown>[];
  stderr: string[];
}

export interface FrrPair {
  speakerNs: string;
  frrNs: string;
  vty: VtyClient;
  /** The bgpd process (`ip netns exec` execs it, so its pid is bgpd's). */
  frr: Child;
  /** Runs argv inside a namespace (stdin a pipe when asked); stopped by stop(). */
  run(ns: string, argv: string[], opts?: { stdin?: boolean }): Child;
  stopChild(c: Child): Promise<void>;
  stop(): Promise<void>;
}

export async function startFrrPair(prefix: string, bgpdConfig: string): Promise<FrrPair> {
  const speakerNs = `${prefix}s${process.pid}`;
  const frrNs = `${prefix}f${process.pid}`;
  const children: Child[] = [];
  let dir = '';
  let vty: VtyClient | undefined;
  let frr: Child | undefined;

  const stopChild = async (c: Child): Promise<void> => {
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
    const exited = new Promise((resolve) => c.proc.once('exit', resolve));
    c.proc.kill('SIGTERM');
    const timer = setTimeout(() => c.proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  const run = (ns: string, argv: string[], opts: { stdin?: boolean } = {}): Child => {
    const proc = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const child: Child = { proc, events: [], stderr: [] };
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        child.events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        child.events.push({ event: 'text', line });
      }
    });
    createInterface({ input: proc.stderr! }).on('line', (line) => child.stderr.push(line));
    children.push(child);
    return child;
  };
  const stop = async (): Promise<void> => {
    await vty?.close().catch(() => undefined);
    for (const c of children) await stopChild(c);
    await $`ip netns del ${speakerNs}`.nothrow().quiet();
    await $`ip netns del ${frrNs}`.nothrow().quiet();
    if (dir) await rm(dir, { recursive: true, force: true });
  };

  try {
    await $`ip netns add ${speakerNs}`.quiet();
    await $`ip netns add ${frrNs}`.quiet();
    const a = `${prefix}a${process.pid}`;
    const b = `${prefix}b${process.pid}`;
    await $`ip link add ${a} netns ${speakerNs} type veth peer name ${b} netns ${frrNs}`.quiet();
    for (const [ns, dev, v4, v6] of [[speakerNs, a, `${OUR_V4}/30`, `${OUR_V6}/64`], [frrNs, b, `${FRR_V4}/30`, `${FRR_V6}/64`]]) {
      await $`ip -n ${ns} link set lo up`.quiet();
      await $`ip -n ${ns} addr add ${v4} dev ${dev}`.quiet();
      await $`ip -n ${ns} addr add ${v6} dev ${dev} nodad`.quiet();
      await $`ip -n ${ns} link set ${dev} up`.quiet();
    }
    dir = await mkdtemp(join(tmpdir(), `${prefix}frr-`));
    const conf = join(dir, 'bgpd.conf');
    await writeFile(conf, bgpdConfig);
    const uid = Number((await $`id -u frr`.quiet()).stdout.trim());
    const gid = Number((await $`id -g frr`.quiet()).stdout.trim());
    await chown(dir, uid, gid);
    await chown(conf, uid, gid);
    frr = run(frrNs, ['/usr/lib/frr/bgpd', '-f', conf, '-i', join(dir, 'bgpd.pid'), '-z', join(dir, 'zserv.api'),
      '--vty_socket', dir, '-P', '0', '-Z', '--log-level', 'critical']);
    vty = new VtyClient(join(dir, 'bgpd.vty'));
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        if ((await vty.command('show version')).includes('FRRouting')) break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`FRR bgpd in ${frrNs} did not answer on ${dir}/bgpd.vty within 15 s: ${(err as Error).message}; stderr: ${children[0]?.stderr.join(' ')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { speakerNs, frrNs, vty: vty!, frr: frr!, run, stopChild, stop };
}
