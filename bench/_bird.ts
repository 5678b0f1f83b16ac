/**
 * BIRD 2 (Debian `bird2`) as a bench reference, run the way its users run it: a
 * config with one BGP protocol per peer (here: the injector), `protocol device`
 * for the interfaces and no kernel protocol (nothing is installed into a FIB),
 * started in the foreground as `bird -c CONF -s SOCK -f -u bird -g bird` inside the
 * receiving namespace and stopped by its PID. Received routes are read with birdc
 * (`show protocols all`: "Routes: N imported" per channel).
 */
import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Child, FrrPair } from './_frr-netns-pair.js';
import { waitUntil } from '@bgpdns-lab/harness';

const run = promisify(execFile);

export interface BirdPeer {
  localAddress: string;
  localAs: number;
  neighborAddress: string;
  neighborAs: number;
}

export function birdConfig(routerId: string, p: BirdPeer): string {
  return `router id ${routerId};
log stderr { warning, error, fatal };
protocol device { }
protocol bgp injector {
  local ${p.localAddress} as ${p.localAs};
  neighbor ${p.neighborAddress} as ${p.neighborAs};
  passive on;
  ipv4 { import all; export none; };
  ipv6 { import all; export none; };
}
`;
}

export interface Bird {
  child: Child;
  pid: number;
  /** Routes imported per family, from birdc; undefined while the protocol has no channel figures yet. */
  imported(): Promise<{ ipv4: number; ipv6: number } | undefined>;
  stop(): Promise<void>;
}

async function idOf(flag: '-u' | '-g', name: string): Promise<number> {
  return Number((await run('id', [flag, name])).stdout.trim());
}

/** Starts BIRD in the pair's receiving namespace. Throws when the binary, user or socket is missing. */
export async function startBird(pair: FrrPair, routerId: string, peer: BirdPeer): Promise<Bird> {
  const dir = await mkdtemp(join(tmpdir(), 'h4bird-'));
  const conf = join(dir, 'bird.conf');
  const sock = join(dir, 'bird.ctl');
  await writeFile(conf, birdConfig(routerId, peer));
  // Looked up at run time: Debian's package creates the bird user and group.
  const [uid, gid] = [await idOf('-u', 'bird'), await idOf('-g', 'bird')];
  await chown(dir, uid, gid);
  await chown(conf, uid, gid);
  const child = pair.run(pair.frrNs, ['bird', '-c', conf, '-s', sock, '-f', '-u', 'bird', '-g', 'bird']);
  // `ip netns exec` execs bird, so the child's pid is bird's.
  const pid = child.proc.pid!;
  const birdc = async (...args: string[]): Promise<string> => (await run('birdc', ['-s', sock, ...args])).stdout;
  // Ends early when bird exits.
  const { value: up } = await waitUntil(
    async () => (child.proc.exitCode !== null ? 'exited' : birdc('show', 'status').then(() => 'answers' as const)),
    () => true,
    {
      what: `bird control socket ${sock} answers`,
      timeout: 30_000,
      interval: 100,
      onTimeout: () => new Error(`bird control socket ${sock} did not answer within 30 s: ${child.stderr.slice(-5).join(' | ')}`),
    },
  );
  if (up === 'exited') throw new Error(`bird exited (${child.proc.exitCode}): ${child.stderr.slice(-5).join(' | ')}`);
  return {
    child,
    pid,
    async imported() {
      const out = await birdc('show', 'protocols', 'all', 'injector');
      // Channels are listed in config order: ipv4, then ipv6.
      const counts = [...out.matchAll(/Channel (ipv4|ipv6)[\s\S]*?Routes:\s+(\d+) imported/g)];
      const get = (afi: string) => counts.find((m) => m[1] === afi)?.[2];
      const v4 = get('ipv4');
      const v6 = get('ipv6');
      return v4 === undefined || v6 === undefined ? undefined : { ipv4: Number(v4), ipv6: Number(v6) };
    },
    async stop() {
      await pair.stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
