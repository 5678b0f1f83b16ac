import { defineCommand, EXIT, UsageError } from '../command.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

export const command = defineCommand({
  summary: 'simulated container hosts (a namespace + Docker engine each, an underlay between them)',
  usage: `usage: bgpdns-lab hosts up N [--set NAME]
       bgpdns-lab hosts down [--set NAME]
       bgpdns-lab hosts list

up      makes N hosts NAME-host1 … NAME-hostN (default NAME: hosts): a network
        namespace each with its own dockerd (own socket, data root, exec root;
        --bridge none, no iptables), and an underlay 198.19.254.0/24 between them
        (host i at .i, the harness at .254 in namespace NAME-ul). Last stdout
        line: JSON with each host's Docker endpoint and underlay address, the
        way a lab's hosts: section names them.
down    removes the set's containers, engines, mounts, namespaces and
        directories (also after a killed harness), then checks nothing is left.
list    the sets on this machine.
Exit 0: done; 2: something of the set was left behind; 64: usage error; 77: not root.`,
  options: { set: { type: 'string' } },
  async run({ positionals, values }) {
    const [sub, count, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const set = values.set ?? 'hosts';
    const { checkSetName, hostSetLeftovers, hostSets, hostsDown, hostsUp, readHostSet } = await import('../../runtime/hosts/simulated-hosts.js');
    try {
      checkSetName(set);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (sub === 'up') {
      const n = Number(count);
      if (count === undefined || !Number.isInteger(n) || n < 1) throw new UsageError('hosts up needs the number of hosts, e.g. hosts up 2');
      const hs = await hostsUp(set, n, log);
      process.stdout.write(`${JSON.stringify({ set, harness: hs.harness, hosts: hs.hosts.map(({ name, netns, endpoint, underlay }) => ({ name, netns, endpoint, underlay })) })}\n`);
      return EXIT.ok;
    }
    if (sub === 'down') {
      if (count !== undefined) throw new UsageError(`hosts down takes no count (got "${count}")`);
      await hostsDown(set, log);
      const left = await hostSetLeftovers(set);
      log(left.length ? `left: ${left.join(', ')}` : `host set ${set}: nothing left`);
      return left.length ? EXIT.lab : EXIT.ok;
    }
    if (sub === 'list') {
      for (const s of hostSets()) process.stdout.write(`${s}: ${(readHostSet(s)?.hosts ?? []).map((h) => `${h.name} ${h.underlay} ${h.endpoint}`).join('; ')}\n`);
      return EXIT.ok;
    }
    throw new UsageError(sub ? `unknown hosts subcommand "${sub}"` : 'expected up, down or list');
  },
});
