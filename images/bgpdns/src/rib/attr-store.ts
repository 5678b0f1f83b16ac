/**
 * Interned path-attribute sets. A full table has far fewer distinct attribute
 * sets than prefixes, so each set is kept once, under a small integer id with a
 * reference count; the fields best-path selection reads are copied into typed
 * arrays indexed by that id. The set itself is kept as its intern key (bytes in
 * one arena: attr-key.ts, key-arena.ts) and rebuilt into a PathAttributes object
 * only when someone asks (status pages, differential tests), which keeps the heap
 * free of per-set objects.
 */
import { growable, resizeInPlace } from './growable.js';
import { AsPathSegmentType, type AsPathSegment, type PathAttributes } from '../bgp/types.js';
import { readAttributeKey, writeAttributeKey } from './attr-key.js';
import { ByteWriter } from '../bgp/writer.js';
import { KeyArena } from './key-arena.js';

export const NO_ASN = -1;

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
  private readonly arena = new KeyArena();
  private readonly writer = new ByteWriter();
  /** Ids handed out so far (the next new one); freed ids are reused first. */
  private nextId = 0;
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
    return this.arena.size;
  }

  /** Bytes of the per-set field arrays and of the keys' arena and index. */
  bytesUsed(): number {
    let fields = 0;
    for (const array of this.fieldArrays()) fields += array.byteLength;
    return fields + this.arena.bytesUsed();
  }

  private fieldArrays(): (Uint32Array | Uint16Array | Uint8Array | Float64Array)[] {
    return [this.refs, this.hops, this.origin, this.med, this.localPref, this.leftAs, this.leftConfedAs, this.soleAs, this.emptyPath, this.originatorId, this.clusterLen];
  }

  private ensure(id: number): void {
    if (id < this.capacity) return;
    const cap = Math.max(1024, this.capacity * 2, id + 1);
    // In place (growable.ts): no copy of every array at once when a table brings many sets.
    for (const array of this.fieldArrays()) resizeInPlace(array, cap);
    this.capacity = cap;
  }

  /** The id of this attribute set (created on first sight), with one more reference counted. */
  acquire(attrs: PathAttributes): number {
    let id: number;
    if (attrs === this.lastObject && this.arena.has(this.lastId)) {
      id = this.lastId;
    } else {
      const w = this.writer;
      w.pos = 0;
      writeAttributeKey(attrs, w);
      const hash = KeyArena.hash(w.buf, w.pos);
      const known = this.arena.find(w.buf, w.pos, hash);
      id = known >= 0 ? known : this.create(hash, attrs);
      this.lastObject = attrs;
      this.lastId = id;
    }
    this.refs[id]++;
    return id;
  }

  /** A new set, its key in the writer. */
  private create(hash: number, a: PathAttributes): number {
    const id = this.free.length > 0 ? this.free.pop()! : this.nextId++;
    this.ensure(id);
    this.arena.insert(id, this.writer.buf, this.writer.pos, hash);
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
    this.arena.remove(id);
    this.free.push(id);
    if (this.lastId === id) this.lastObject = undefined;
  }

  /** The attribute set behind an id, rebuilt from its key. */
  attributes(id: number): PathAttributes {
    if (!this.arena.has(id)) throw new Error(`attribute set ${id} is not in use`);
    const key = this.arena.view(id);
    return readAttributeKey(key, 0, key.length);
  }
}
