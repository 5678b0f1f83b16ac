import { access, constants } from 'node:fs/promises';
import http from 'node:http';
import { $ } from 'zx';
import { FRR_BIN } from '../../kinds/frr.js';
import { NFT } from '../../faults/nft.js';
import { systemUser } from '../../kinds/node-dir.js';
import { parseArgs, type CliCommand } from '../command.js';

interface Check {
  name: string;
  /** Optional checks only limit some features; required ones stop labs from running. */
  optional?: boolean;
  run(): Promise<{ ok: boolean; detail: string; fix?: string }>;
}

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function firstLine(p: Promise<{ stdout: string; stderr: string }>): Promise<string> {
  const out = await p;
  return (out.stdout || out.stderr).trim().split('\n')[0] ?? '';
}

const q = $({ nothrow: true, quiet: true });

/** A throwaway namespace for kernel feature checks, named so it is never mistaken for a lab's. */
async function withScratchNetns<T>(fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = `bgpdns-doctor-${process.pid}`;
  await q`ip netns add ${ns}`;
  try {
    return await fn(ns);
  } finally {
    await q`ip netns del ${ns}`;
  }
}

function dockerPing(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: '/var/run/docker.sock', path: '/_ping', timeout: 1500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `engine answered HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 1.5 s')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ENOENT' ? 'no /var/run/docker.sock' : e.message));
  });
}

const checks: Check[] = [
  {
    name: 'root',
    async run() {
      const ok = process.getuid?.() === 0;
      return { ok, detail: ok ? 'running as root' : `running as uid ${process.getuid?.()}`, fix: 'run as root: sudo ./bgpdns-lab …' };
    },
  },
  {
    name: 'node',
    async run() {
      const [major, minor] = process.versions.node.split('.').map(Number);
      const ok = major > 20 || (major === 20 && minor >= 8);
      return { ok, detail: `node ${process.versions.node}`, fix: 'install Node.js 20.8 or newer' };
    },
  },
  {
    name: 'network namespaces + veth',
    async run() {
      if (process.getuid?.() !== 0) return { ok: false, detail: 'needs root to test', fix: 'run as root' };
      const err = await withScratchNetns(async (ns) => {
        const veth = await q`ip -n ${ns} link add d0 type veth peer name d1`;
        return veth.exitCode === 0 ? undefined : veth.stderr.trim();
      });
      return { ok: !err, detail: err ?? 'ip netns add and veth pairs work', fix: 'a kernel with CONFIG_NET_NS and CONFIG_VETH; apt-get install iproute2' };
    },
  },
  {
    name: 'FRR',
    async run() {
      const daemons = ['zebra', 'bgpd', 'staticd', 'bfdd'];
      const missing = [];
      for (const d of daemons) if (!(await executable(`${FRR_BIN}/${d}`))) missing.push(d);
      if (missing.length) return { ok: false, detail: `missing ${missing.map((d) => `${FRR_BIN}/${d}`).join(', ')}`, fix: 'apt-get install frr' };
      const version = await firstLine(q`${FRR_BIN}/zebra --version`);
      if (!systemUser('frr')) return { ok: false, detail: `${version}; no user frr`, fix: 'apt-get install --reinstall frr (creates user frr)' };
      return { ok: true, detail: version };
    },
  },
  {
    name: 'tinydns',
    async run() {
      const ok = (await executable('/usr/bin/tinydns')) || (await executable('/usr/sbin/tinydns'));
      const data = (await executable('/usr/bin/tinydns-data')) || (await executable('/usr/sbin/tinydns-data'));
      return { ok: ok && data, detail: ok && data ? 'tinydns and tinydns-data found' : 'tinydns or tinydns-data not found', fix: 'apt-get install tinydns' };
    },
  },
  {
    name: 'nftables',
    async run() {
      if (process.getuid?.() !== 0) return { ok: false, detail: 'needs root to test', fix: 'run as root' };
      const version = await firstLine(q`${NFT} --version`);
      if (!version) return { ok: false, detail: 'nft not found', fix: 'apt-get install nftables' };
      const err = await withScratchNetns(async (ns) => {
        const r = await q`ip netns exec ${ns} ${NFT} add table inet bgpdns_doctor`;
        return r.exitCode === 0 ? undefined : r.stderr.trim();
      });
      return { ok: !err, detail: err ? `${version}: ${err}` : `${version}; tables in a namespace work`, fix: 'a kernel with nf_tables' };
    },
  },
  {
    name: 'netem (delay faults)',
    optional: true,
    async run() {
      if (process.getuid?.() !== 0) return { ok: false, detail: 'needs root to test', fix: 'run as root' };
      const err = await withScratchNetns(async (ns) => {
        const r = await q`ip netns exec ${ns} tc qdisc add dev lo root netem delay 1ms`;
        return r.exitCode === 0 ? undefined : r.stderr.trim().split('\n')[0];
      });
      return {
        ok: !err,
        detail: err ? `not in this kernel (${err}); delay/jitter faults report "not supported"` : 'tc netem works',
        fix: 'a kernel with sch_netem (modprobe sch_netem); link down, drop, loss and freeze faults work without it',
      };
    },
  },
  {
    name: 'dig',
    optional: true,
    async run() {
      const v = await firstLine(q`dig -v`);
      return { ok: /DiG/.test(v), detail: v || 'dig not found', fix: 'apt-get install dnsutils' };
    },
  },
  {
    name: 'docker engine (--runtime docker)',
    optional: true,
    async run() {
      const err = await dockerPing();
      return { ok: !err, detail: err ?? 'engine answers on /var/run/docker.sock', fix: 'apt-get install docker.io && systemctl start docker (only for --runtime docker)' };
    },
  },
];

export const command: CliCommand = {
  summary: 'check this host: root, namespaces, FRR, tinydns, nftables, netem, docker',
  usage: `usage: bgpdns-lab doctor [--json]

One line per check: OK or MISSING with the fix. A missing optional check only
limits a feature (e.g. no netem: delay faults report "not supported").
Exit 0 when every required check is OK.`,
  async run(argv) {
    const { flags } = parseArgs(argv, [], ['json']);
    const results = await Promise.all(checks.map(async (c) => ({ c, r: await c.run().catch((e: Error) => ({ ok: false, detail: e.message, fix: undefined })) })));
    if (flags.has('json')) {
      process.stdout.write(`${JSON.stringify(results.map(({ c, r }) => ({ check: c.name, ok: r.ok, optional: !!c.optional, detail: r.detail, fix: r.ok ? undefined : r.fix })))}\n`);
    } else {
      const width = Math.max(...checks.map((c) => c.name.length));
      for (const { c, r } of results) {
        const status = r.ok ? 'OK     ' : 'MISSING';
        process.stdout.write(`${status}  ${c.name.padEnd(width)}  ${!r.ok && c.optional ? 'optional: ' : ''}${r.detail}${!r.ok && r.fix ? `\n         ${' '.repeat(width)}  fix: ${r.fix}` : ''}\n`);
      }
    }
    return results.some(({ c, r }) => !r.ok && !c.optional) ? 1 : 0;
  },
};
