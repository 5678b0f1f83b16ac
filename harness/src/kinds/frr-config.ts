/**
 * Split an integrated FRR config (frr.conf, as `vtysh` writes it and as containerlab
 * labs bind it) into one config file per daemon: FRR 8.4 daemons started with their
 * own file (`-f`) load cleanly, while feeding every daemon the integrated file logs
 * an error for each line that belongs to another daemon.
 *
 * Blocks follow FRR's own parser: a block (router bgp, interface, route-map, bfd, …)
 * runs until `exit` at column 0 or an unindented line that can only be a top-level
 * command; `!` is a comment and ends nothing.
 */

export const SUPPORTED_DAEMONS = ['zebra', 'bgpd', 'staticd', 'bfdd', 'ospfd', 'ospf6d'] as const;
export type Daemon = (typeof SUPPORTED_DAEMONS)[number];

export interface SplitConfig {
  /** Lines every daemon gets (hostname, log, frr version/defaults, service, password, line vty). */
  common: string[];
  /** Daemon-specific statements, in file order. */
  perDaemon: Map<Daemon, string[]>;
  /** Daemons the config needs (zebra always). */
  needed: Set<Daemon>;
  /** Problems that make the config unusable: `line N: …`. */
  errors: { line: number; message: string }[];
  warnings: { line: number; message: string }[];
  /** Lines `neighbor X bfd` inside router bgp (FRR 8.4.4 flaps sessions when these are in the startup config). */
  bfdNeighborLines: number[];
  hostname?: string;
}

/** Daemons we cannot run; a config that needs one is an error naming the line. */
const UNSUPPORTED_ROUTERS: Record<string, string> = {
  isis: 'isisd', openfabric: 'fabricd', rip: 'ripd', ripng: 'ripngd', eigrp: 'eigrpd', babel: 'babeld', pim: 'pimd', pim6: 'pim6d',
};

interface Statement {
  line: number;
  header: string;
  body: { line: number; text: string }[];
}

/** Unindented lines that can only be top-level commands (so they end an open block). */
const TOP_LEVEL = [
  /^(no )?hostname\b/, /^(no )?log\b/, /^frr (version|defaults)\b/, /^(no )?service\b/, /^(no )?password\b/, /^(no )?enable password\b/,
  /^line vty\b/, /^router\b/, /^interface\b/, /^route-map\b/, /^bfd$/, /^vrf\b/, /^key chain\b/, /^nexthop-group\b/,
  /^(no )?debug\b/, /^(no )?access-list\b/, /^agentx\b/, /^end$/, /^segment-routing\b/, /^mpls\b/, /^zebra\b/, /^allow-external-route-update\b/,
  /^(no )?ip (route|prefix-list|forwarding|nht|protocol|import-table|as-path|community-list|extcommunity-list|large-community-list)\b/,
  /^(no )?ipv6 (route|prefix-list|forwarding|nht|protocol|access-list)\b/,
  /^bgp (community-list|extcommunity-list|large-community-list|as-path|route-map|send-extra-data|no-rib)\b/,
];

const BLOCK_HEADERS = [/^router\b/, /^interface\b/, /^route-map\b/, /^bfd$/, /^vrf\b/, /^line vty\b/, /^key chain\b/, /^nexthop-group\b/, /^segment-routing\b/, /^mpls\b/];

function isTopLevel(text: string): boolean {
  return TOP_LEVEL.some((re) => re.test(text));
}

/** Nodes nested inside a block (FRR's address-family, BFD peer/profile, EVPN vni); `exit` leaves them first. */
const SUB_BLOCK = /^(address-family|peer|profile|vni)\b/;

function parseStatements(text: string): Statement[] {
  const out: Statement[] = [];
  let open: Statement | undefined;
  let depth = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('!') || trimmed.startsWith('#')) return;
    const indented = /^\s/.test(raw);
    if (open && (indented || !isTopLevel(trimmed))) {
      if (SUB_BLOCK.test(trimmed)) depth++;
      else if (/^exit-/.test(trimmed) || (trimmed === 'exit' && depth > 0)) depth = Math.max(0, depth - 1);
      else if (!indented && (trimmed === 'exit' || trimmed === 'end')) {
        open = undefined;
        return;
      }
      open.body.push({ line, text: raw.replace(/\s+$/, '') });
      return;
    }
    if (trimmed === 'end' || trimmed === 'exit') {
      open = undefined;
      return;
    }
    const st: Statement = { line, header: trimmed, body: [] };
    out.push(st);
    open = BLOCK_HEADERS.some((re) => re.test(trimmed)) ? st : undefined;
    depth = 0;
  });
  return out;
}

function render(st: Statement, body = st.body): string[] {
  const isBlock = BLOCK_HEADERS.some((re) => re.test(st.header));
  const lines = [st.header, ...body.map((b) => (/^\s/.test(b.text) ? b.text : ` ${b.text}`))];
  if (isBlock) lines.push(st.header.startsWith('vrf ') ? 'exit-vrf' : 'exit');
  return lines;
}

export function splitFrrConfig(text: string): SplitConfig {
  const result: SplitConfig = {
    common: [],
    perDaemon: new Map(),
    needed: new Set<Daemon>(['zebra']),
    errors: [],
    warnings: [],
    bfdNeighborLines: [],
  };
  const give = (d: Daemon, lines: string[]) => {
    result.needed.add(d);
    const list = result.perDaemon.get(d) ?? [];
    list.push(...lines);
    result.perDaemon.set(d, list);
  };

  for (const st of parseStatements(text)) {
    const h = st.header;
    let m: RegExpMatchArray | null;
    if ((m = h.match(/^hostname\s+(\S+)/))) {
      result.hostname = m[1];
    } else if (/^(no )?service integrated-vtysh-config\b/.test(h)) {
      // A vtysh.conf setting; the daemons reject it. Per-daemon files are what we run anyway.
    } else if (/^log file\b/.test(h)) {
      // The node's log goes to <node dir>/frr.log; a path meant for a container is dropped.
      result.warnings.push({ line: st.line, message: `"${h}" replaced by the node's frr.log` });
    } else if (/^(frr (version|defaults)|(no )?log|(no )?service|(no )?password|(no )?enable password|line vty|agentx)\b/.test(h)) {
      result.common.push(...render(st));
    } else if ((m = h.match(/^router (\S+)/))) {
      const proto = m[1];
      if (proto === 'bgp') {
        give('bgpd', render(st));
        for (const b of st.body) if (/^\s*neighbor \S+ bfd\b/.test(b.text)) result.bfdNeighborLines.push(b.line);
        if (result.bfdNeighborLines.length) result.needed.add('bfdd');
      } else if (proto === 'ospf') give('ospfd', render(st));
      else if (proto === 'ospf6') give('ospf6d', render(st));
      else {
        const daemon = UNSUPPORTED_ROUTERS[proto] ?? `${proto}d`;
        result.errors.push({ line: st.line, message: `"${h}" needs ${daemon}, which the frr kind does not run (it runs ${SUPPORTED_DAEMONS.join(', ')})` });
      }
    } else if (/^interface\b/.test(h)) {
      const ospf = st.body.filter((b) => /^\s*ip ospf\b/.test(b.text));
      const ospf6 = st.body.filter((b) => /^\s*ipv6 ospf6\b/.test(b.text));
      const other = st.body.filter((b) => !ospf.includes(b) && !ospf6.includes(b));
      const isis = other.find((b) => /^\s*(ip|ipv6) router (isis|openfabric)\b|^\s*isis\b/.test(b.text));
      if (isis) result.errors.push({ line: isis.line, message: `"${isis.text.trim()}" needs isisd/fabricd, which the frr kind does not run` });
      give('zebra', render(st, other));
      if (ospf.length) give('ospfd', render(st, ospf));
      if (ospf6.length) give('ospf6d', render(st, ospf6));
    } else if (/^(ip|ipv6) route\b/.test(h)) {
      give('staticd', render(st));
    } else if (h === 'bfd') {
      give('bfdd', render(st));
    } else if ((m = h.match(/^(?:no )?debug (\S+)/))) {
      const target = ({ bgp: 'bgpd', zebra: 'zebra', bfd: 'bfdd', ospf: 'ospfd', ospf6: 'ospf6d', static: 'staticd' } as Record<string, Daemon>)[m[1]];
      // A debug line does not make a daemon needed; it goes with the daemon if that runs.
      const daemon = target ?? 'zebra';
      result.perDaemon.set(daemon, [...(result.perDaemon.get(daemon) ?? []), ...render(st)]);
    } else if (/^(route-map|(ip|ipv6) prefix-list|(ip|ipv6) access-list|access-list|bgp |ip (as-path|community-list|extcommunity-list|large-community-list))/.test(h)) {
      // Policy objects: bgpd is the daemon that uses them in these labs.
      const list = result.perDaemon.get('bgpd') ?? [];
      list.push(...render(st));
      result.perDaemon.set('bgpd', list);
    } else {
      if (!/^((no )?(ip|ipv6) (forwarding|nht|protocol|import-table)|zebra|allow-external-route-update|vrf|nexthop-group|segment-routing|mpls|key chain)\b/.test(h)) {
        result.warnings.push({ line: st.line, message: `"${h}" is not a command the frr kind knows which daemon takes; given to zebra` });
      }
      give('zebra', render(st));
    }
  }
  return result;
}

export interface DaemonFileOptions {
  hostname: string;
  logFile: string;
}

/** The config file for one daemon: common lines, our logging, then its own statements. */
export function daemonConfig(split: SplitConfig, daemon: Daemon, opts: DaemonFileOptions): string {
  const lines = [
    `! ${daemon} config for node ${opts.hostname}, split from the node's integrated frr.conf by bgpdns-lab`,
    `hostname ${split.hostname ?? opts.hostname}`,
    `log file ${opts.logFile}`,
    // Millisecond timestamps: the route watcher reads router-side event times from this log.
    'log timestamp precision 3',
    ...split.common,
    ...(split.perDaemon.get(daemon) ?? []),
    '',
  ];
  return lines.join('\n');
}

/**
 * Parse containerlab/FRR's `daemons` file (`bgpd=yes`, `ospfd=no`, …) into the set of
 * daemons switched on. zebra is always on (FRR starts it regardless).
 */
export function parseDaemonsFile(text: string): { enabled: Set<string>; lines: Map<string, number> } {
  const enabled = new Set<string>(['zebra']);
  const lines = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = raw.trim().match(/^([a-z0-9]+d|zebra)\s*=\s*"?(yes|no)"?\s*$/);
    if (!m) return;
    lines.set(m[1], i + 1);
    if (m[2] === 'yes') enabled.add(m[1]);
    else if (m[1] !== 'zebra') enabled.delete(m[1]);
  });
  return { enabled, lines };
}
