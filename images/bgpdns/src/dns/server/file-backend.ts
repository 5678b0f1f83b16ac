/**
 * File mode: answers from a tinydns data file, the way tinydns does
 * (zone/resolve.ts), with A/AAAA RRsets ordered for the client.
 *
 * Answers are precomputed templates per (name, type, class, location) built on
 * first use; a zone with timestamped lines resolves per query instead, since
 * its answers move with the clock. Reload: the file is polled; a changed file
 * is parsed completely and compiled, then zone and template cache are swapped
 * in one step — queries in flight finish on the old snapshot, a broken file
 * keeps the old zone (and is logged with file:line:column).
 */
import type { Backend, MaybeAsync, RateGate, Source, Transport } from './backend.js';
import type { Query } from '../wire/query.js';
import { shortResponse, udpLimit, type OptSpec } from '../wire/opt.js';
import { HeaderFlag, Rcode, RrClass } from '../wire/types.js';
import { buildTemplate, renderTemplate, type ResponseTemplate } from '../wire/template.js';
import { resolve } from '../zone/resolve.js';
import { ipv4ToNumber, type Zone } from '../zone/zone.js';
import { fileStamp, loadZoneFile } from '../zone/load.js';
import type { AddressOrderer, OrderDecision } from '../ordering/orderer.js';
import { clientFromSource, clientFromSubnet, type ClientAddress } from '../ordering/client-address.js';
import type { FrontStats } from './stats.js';

const maxTemplates = 100_000;
/**
 * NXDOMAIN answers are cached only up to this many: a random-subdomain flood would
 * otherwise fill the whole cache with one-off names (each a template of its own, the
 * question is part of it) — the soak bench saw the front's RSS saw-tooth to +65 MB.
 * Past the cap they are resolved per query, which costs microseconds.
 */
const maxNxdomainTemplates = 10_000;

export interface FileBackendOptions {
  path: string;
  orderer: AddressOrderer;
  stats: FrontStats;
  /** How often to look at the file for changes; 0 = never. */
  pollMs?: number;
  /** Unix seconds for timestamped lines (tests inject it). */
  now?: () => number;
  onReload?: (result: { ok: true; records: number } | { ok: false; error: Error }) => void;
}

export class FileBackend implements Backend {
  private zone: Zone | null = null;
  private stamp = '';
  /** Templates by name key (prefixed with the location when there is one), then by type×2 + (class ANY). */
  private templates = new Map<string, Map<number, ResponseTemplate>>();
  private templateCount = 0;
  private nxdomainTemplateCount = 0;
  private reloading = false;
  private poller: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  private constructor(private readonly opts: FileBackendOptions) {
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Loads the file (throws a DataParseError naming file, line and column) and starts watching it. */
  static async open(opts: FileBackendOptions): Promise<FileBackend> {
    const b = new FileBackend(opts);
    const loaded = await loadZoneFile(opts.path);
    b.swap(loaded.zone, loaded.stamp);
    const pollMs = opts.pollMs ?? 500;
    // A stat per interval, compared with the loaded file's inode/size/mtime: catches in-place
    // writes and atomic renames alike, and costs nothing measurable.
    if (pollMs > 0) {
      b.poller = setInterval(() => void b.reloadIfChanged(), pollMs);
      b.poller.unref();
    }
    return b;
  }

  get ready(): boolean {
    return this.zone !== null;
  }

  /** Answers cached now (all, and NXDOMAIN ones): for tests and metrics. */
  get cachedTemplates(): { all: number; nxdomain: number } {
    return { all: this.templateCount, nxdomain: this.nxdomainTemplateCount };
  }

  get recordCount(): number {
    return this.zone?.recordCount ?? 0;
  }

  private swap(zone: Zone, stamp: string): void {
    this.zone = zone;
    this.stamp = stamp;
    this.templates = new Map();
    this.templateCount = 0;
    this.nxdomainTemplateCount = 0;
  }

  /** Re-reads the file if it changed; resolves once the new zone is live (or the old one kept). */
  async reloadIfChanged(): Promise<boolean> {
    if (this.reloading) return false;
    this.reloading = true;
    try {
      if ((await fileStamp(this.opts.path)) === this.stamp) return false;
      const loaded = await loadZoneFile(this.opts.path);
      this.swap(loaded.zone, loaded.stamp);
      this.opts.stats.reloadsOk++;
      this.opts.onReload?.({ ok: true, records: loaded.zone.recordCount });
      return true;
    } catch (e) {
      this.opts.stats.reloadsFailed++;
      try {
        this.stamp = await fileStamp(this.opts.path);
      } catch {
        // The file vanished; keep serving the old zone and retry on the next change.
      }
      this.opts.onReload?.({ ok: false, error: e as Error });
      return false;
    } finally {
      this.reloading = false;
    }
  }

  answer(packet: Buffer, q: Query, source: Source, transport: Transport, gate: RateGate): MaybeAsync<Buffer | null> {
    const zone = this.zone!;
    if (q.qclass !== RrClass.IN && q.qclass !== RrClass.ANY) return gate('error', '', Rcode.FormErr, false) ?? shortResponse(packet, q.questionEnd, q.flags, Rcode.FormErr, q.edns);
    const location = zone.hasLocations ? zone.locationOf(ipv4ToNumber(source.address)) : '';
    const nameKey = location === '' ? q.qkey : `${location}\0${q.qkey}`;
    const typeKey = q.qtype * 2 + (q.qclass === RrClass.ANY ? 1 : 0);
    const cacheable = !zone.hasTimestamps;
    let byType = cacheable ? this.templates.get(nameKey) : undefined;
    let t = byType?.get(typeKey);
    if (t) this.opts.stats.templateHits++;
    else {
      this.opts.stats.templateMisses++;
      const res = resolve(zone, q.qkey, q.qtype, { location, now: this.now() });
      if (!res) return gate('error', '', Rcode.Refused, false) ?? shortResponse(packet, q.questionEnd, q.flags, Rcode.Refused, q.edns);
      t = buildTemplate(q.qkey, q.qtype, q.qclass, res);
      const nxdomain = res.rcode === Rcode.NxDomain;
      if (cacheable && !(nxdomain && this.nxdomainTemplateCount >= maxNxdomainTemplates)) {
        if (this.templateCount >= maxTemplates) {
          this.templates.clear();
          this.templateCount = 0;
          this.nxdomainTemplateCount = 0;
          byType = undefined;
        }
        if (!byType) this.templates.set(nameKey, (byType = new Map()));
        byType.set(typeKey, t);
        this.templateCount++;
        if (nxdomain) this.nxdomainTemplateCount++;
      }
    }
    // Rate limiting before the sorter is asked anything.
    const limited = gate(t.rate.kind, t.rate.name, t.rcode, (t.bytes[2] & (HeaderFlag.AA >> 8)) !== 0);
    if (limited !== undefined) return limited;
    const limit = transport === 'tcp' ? 65535 : udpLimit(q.edns);
    const slots = t.slots;
    if (slots.length === 0) return renderTemplate(t, packet, q.flags, noOrders, limit, q.edns ? { ecs: q.edns.ecs, scope: 0, dnssecOk: q.edns.dnssecOk } : null);

    const client = clientFor(q, source);
    const template = t;
    if (slots.length === 1) {
      const d = this.opts.orderer.order(client, slots[0].rrsetKey, slots[0].candidateText);
      const cap = this.opts.orderer.unrankedTtl;
      if (d instanceof Promise) return d.then((decided) => render(template, packet, q, [decided], limit, cap));
      return render(template, packet, q, [d], limit, cap);
    }
    const cap = this.opts.orderer.unrankedTtl;
    const decisions: MaybeAsync<OrderDecision>[] = slots.map((s) => this.opts.orderer.order(client, s.rrsetKey, s.candidateText));
    if (decisions.some((d) => d instanceof Promise)) return Promise.all(decisions).then((ds) => render(template, packet, q, ds, limit, cap));
    return render(template, packet, q, decisions as OrderDecision[], limit, cap);
  }

  async close(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
  }
}

/**
 * The ECS subnet when the query carries one, else the packet source. A subnet
 * of length 0 is kept (not replaced by the resolver's own address): it asks for
 * an answer tailored to no network (RFC 7871 §7.1.2), which the orderer gives.
 */
export function clientFor(q: Query, source: Source): ClientAddress {
  const ecs = q.edns?.ecs;
  return ecs ? clientFromSubnet(ecs) : clientFromSource(source.address);
}

const noOrders: number[][] = [];

/** The response: each RRset in its decided order, unranked ones with their TTL capped at `cap`, ECS scope the longest of the decisions'. */
function render(t: ResponseTemplate, packet: Buffer, q: Query, ds: OrderDecision[], limit: number, cap: number): Buffer {
  let opt: OptSpec | null = null;
  if (q.edns) {
    let scope = 0;
    for (const d of ds) if (d.scope > scope) scope = d.scope;
    opt = { ecs: q.edns.ecs, scope, dnssecOk: q.edns.dnssecOk };
  }
  const orders = ds.length === 1 ? [ds[0].order] : ds.map((d) => d.order);
  const caps = ds.some((d) => d.capTtl) ? ds.map((d) => (d.capTtl ? cap : -1)) : null;
  return renderTemplate(t, packet, q.flags, orders, limit, opt, caps);
}
