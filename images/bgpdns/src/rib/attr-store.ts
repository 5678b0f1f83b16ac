/**
 * Interned path-attribute sets. A full table has far fewer distinct attribute
 * sets than prefixes, so each set is kept once, under a small integer id with a
 * reference count; the fields best-path selection reads are copied into typed
 * arrays indexed by that id. The set itself is kept as its intern key (one flat
 * string) and rebuilt into a PathAttributes object only when someone asks
 * (status pages, differential tests), which keeps the heap free of per-set objects.
 */
import { growable, resizeInPlace } from './growable.js';
import { AsPathSegmentType, type AsPathSegment, type PathAttributes } from '../bgp/types.js';

export const NO_ASN = -1;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function unhex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/**
 * One flat string that identifies an attribute set. Fields are tagged by one
 * letter and separated by '|'; no value can contain '|'. Only present fields appear.
 * Built from parts with one join: `+=` would leave a rope of a dozen string pieces per
 * key, and a full table's keys are kept for as long as their routes (measured: 61 of
 * 77 MB of heap after a 1.2 M-prefix table with `+=`).
 */
export function attributeKey(a: PathAttributes): string {
  const parts: string[] = [a.origin === undefined ? '' : `o${a.origin}`, '|p'];
  for (let s = 0; s < a.asPath.length; s++) {
    const seg = a.asPath[s];
    if (s > 0) parts.push(';');
    parts.push(String(seg.type), ':', seg.asns.join(' '));
  }
  if (a.nextHop !== undefined) parts.push('|n', a.nextHop);
  if (a.nextHopLinkLocal !== undefined) parts.push('|l', a.nextHopLinkLocal);
  if (a.med !== undefined) parts.push('|m', String(a.med));
  if (a.localPref !== undefined) parts.push('|L', String(a.localPref));
  if (a.atomicAggregate) parts.push('|a');
  if (a.aggregator) parts.push('|g', `${a.aggregator.asn} ${a.aggregator.address}`);
  if (a.communities?.length) parts.push('|c', a.communities.join(' '));
  if (a.extendedCommunities?.length) parts.push('|x', a.extendedCommunities.map(hex).join(' '));
  if (a.largeCommunities?.length) parts.push('|q', a.largeCommunities.map((c) => `${c.global}:${c.local1}:${c.local2}`).join(' '));
  if (a.originatorId !== undefined) parts.push('|r', a.originatorId);
  if (a.clusterList?.length) parts.push('|k', a.clusterList.join(' '));
  if (a.unknown?.length) parts.push('|u', a.unknown.map((u) => `${u.flags}:${u.type}:${hex(u.value)}`).join(' '));
  return parts.join('');
}

const nums = (text: string): number[] => (text === '' ? [] : text.split(' ').map(Number));

/** Inverse of attributeKey. */
export function attributesFromKey(key: string): PathAttributes {
  const a: PathAttributes = { asPath: [] };
  for (const field of key.split('|')) {
    if (field === '') continue;
    const tag = field[0];
    const v = field.slice(1);
    switch (tag) {
      case 'o':
        a.origin = Number(v);
        break;
      case 'p':
        a.asPath =
          v === ''
            ? []
            : v.split(';').map((seg): AsPathSegment => {
                const [type, asns] = seg.split(':');
                return { type: Number(type) as AsPathSegmentType, asns: nums(asns) };
              });
        break;
      case 'n':
        a.nextHop = v;
        break;
      case 'l':
        a.nextHopLinkLocal = v;
        break;
      case 'm':
        a.med = Number(v);
        break;
      case 'L':
        a.localPref = Number(v);
        break;
      case 'a':
        a.atomicAggregate = true;
        break;
      case 'g': {
        const [asn, address] = v.split(' ');
        a.aggregator = { asn: Number(asn), address };
        break;
      }
      case 'c':
        a.communities = nums(v);
        break;
      case 'x':
        a.extendedCommunities = v.split(' ').map(unhex);
        break;
      case 'q':
        a.largeCommunities = v.split(' ').map((c) => {
          const [global, local1, local2] = c.split(':').map(Number);
          return { global, local1, local2 };
        });
        break;
      case 'r':
        a.originatorId = v;
        break;
      case 'k':
        a.clusterList = v.split(' ');
        break;
      case 'u':
        a.unknown = v.split(' ').map((u) => {
          const [flags, type, value] = u.split(':');
          return { flags: Number(flags), type: Number(type), value: unhex(value) };
        });
        break;
    }
  }
  return a;
}

function ipv4Word(text: string | undefined): number {
  if (!text) return 0;
  const p = text.split('.');
  return p.length === 4 ? ((+p[0] << 24) | (+p[1] << 16) | (+p[2] << 8) | +p[3]) >>> 0 : 0;
}

/** What best-path selection needs from an AS_PATH (RFC 4271 §9.1.2.2, FRR's counting rules). */
export interface AsPathFacts {
  /** AS_SEQUENCE members count one each, an AS_SET counts one, confederation segments count zero. */
  hops: number;
  /** First ASN of the first non-confederation segment when that segment is an AS_SEQUENCE, else NO_ASN. */
  leftAs: number;
  /** First ASN when the path starts with an AS_CONFED_SEQUENCE, else NO_ASN. */
  leftConfedAs: number;
  /** The ASN when the path is one AS_SEQUENCE of that ASN only, perhaps prepended (a prefix the neighbour originates), else NO_ASN. */
  soleAs: number;
}

export function asPathFacts(path: AsPathSegment[]): AsPathFacts {
  let hops = 0;
  let leftAs = NO_ASN;
  let seenNonConfed = false;
  for (const seg of path) {
    if (seg.type === AsPathSegmentType.AsSequence) hops += seg.asns.length;
    else if (seg.type === AsPathSegmentType.AsSet) hops += 1;
    const confed = seg.type === AsPathSegmentType.ConfedSequence || seg.type === AsPathSegmentType.ConfedSet;
    if (!confed && !seenNonConfed) {
      seenNonConfed = true;
      if (seg.type === AsPathSegmentType.AsSequence && seg.asns.length > 0) leftAs = seg.asns[0];
    }
  }
  const first = path[0];
  const leftConfedAs =
    first && first.type === AsPathSegmentType.ConfedSequence && first.asns.length > 0 ? first.asns[0] : NO_ASN;
  // Prepending does not change who originated a prefix: [A A A] is still A's own.
  const soleAs =
    path.length === 1 && first.type === AsPathSegmentType.AsSequence && first.asns.length > 0 && first.asns.every((a) => a === first.asns[0])
      ? first.asns[0]
      : NO_ASN;
  return { hops, leftAs, leftConfedAs, soleAs };
}

export class AttrStore {
  private ids = new Map<string, number>();
  private keys: (string | undefined)[] = [];
  private free: number[] = [];
  private capacity = 0;
  readonly refs = growable(Uint32Array, 0);
  readonly hops = growable(Uint16Array, 0);
  readonly origin = growable(Uint8Array, 0);
  /** MED, 0 when absent (FRR default: missing MED is best, i.e. 0). */
  readonly med = growable(Float64Array, 0);
  /** LOCAL_PREF, or -1 when absent. */
  readonly localPref = growable(Float64Array, 0);
  readonly leftAs = growable(Float64Array, 0);
  readonly leftConfedAs = growable(Float64Array, 0);
  readonly soleAs = growable(Float64Array, 0);
  /** 1 when AS_PATH has no segment at all (a route from inside our own AS). */
  readonly emptyPath = growable(Uint8Array, 0);
  /** ORIGINATOR_ID as a number, or -1 when absent. */
  readonly originatorId = growable(Float64Array, 0);
  readonly clusterLen = growable(Uint16Array, 0);
  /** Memo of the last object interned: an UPDATE's NLRI all share one attributes object. */
  private lastObject?: PathAttributes;
  private lastId = -1;

  get size(): number {
    return this.ids.size;
  }

  private ensure(id: number): void {
    if (id < this.capacity) return;
    const cap = Math.max(1024, this.capacity * 2, id + 1);
    // In place (growable.ts): no copy of every array at once when a table brings many sets.
    for (const array of [this.refs, this.hops, this.origin, this.med, this.localPref, this.leftAs, this.leftConfedAs, this.soleAs, this.emptyPath, this.originatorId, this.clusterLen]) {
      resizeInPlace(array, cap);
    }
    this.capacity = cap;
  }

  /** The id of this attribute set (created on first sight), with one more reference counted. */
  acquire(attrs: PathAttributes): number {
    let id: number;
    if (attrs === this.lastObject && this.keys[this.lastId] !== undefined) {
      id = this.lastId;
    } else {
      const key = attributeKey(attrs);
      const known = this.ids.get(key);
      id = known ?? this.create(key, attrs);
      this.lastObject = attrs;
      this.lastId = id;
    }
    this.refs[id]++;
    return id;
  }

  private create(key: string, a: PathAttributes): number {
    const id = this.free.length > 0 ? this.free.pop()! : this.keys.length;
    this.ensure(id);
    this.keys[id] = key;
    this.ids.set(key, id);
    const facts = asPathFacts(a.asPath);
    this.hops[id] = Math.min(facts.hops, 0xffff);
    this.leftAs[id] = facts.leftAs;
    this.leftConfedAs[id] = facts.leftConfedAs;
    this.soleAs[id] = facts.soleAs;
    this.emptyPath[id] = a.asPath.length === 0 ? 1 : 0;
    this.origin[id] = a.origin ?? 0;
    this.med[id] = a.med ?? 0;
    this.localPref[id] = a.localPref ?? -1;
    this.originatorId[id] = a.originatorId === undefined ? -1 : ipv4Word(a.originatorId);
    this.clusterLen[id] = a.clusterList?.length ?? 0;
    this.refs[id] = 0;
    return id;
  }

  release(id: number): void {
    if (--this.refs[id] > 0) return;
    const key = this.keys[id]!;
    this.ids.delete(key);
    this.keys[id] = undefined;
    this.free.push(id);
    if (this.lastId === id) this.lastObject = undefined;
  }

  /** The attribute set behind an id, rebuilt from its key. */
  attributes(id: number): PathAttributes {
    const key = this.keys[id];
    if (key === undefined) throw new Error(`attribute set ${id} is not in use`);
    return attributesFromKey(key);
  }

  key(id: number): string {
    return this.keys[id]!;
  }
}
