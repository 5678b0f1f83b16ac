/**
 * Packs a table into UPDATE messages: every prefix of a group shares one
 * attribute encoding, as many prefixes per UPDATE as the negotiated message
 * size allows (RFC 4271 §4.3; RFC 8654 for 65,535-octet messages).
 * Output comes in batches of whole messages, ready for one socket write each.
 */
import { Afi, type PathAttributes } from '../bgp/types.js';
import { writeAttributes, type AttributeContext } from '../bgp/attributes.js';
import { AttrFlag, AttrType } from '../bgp/attribute-types.js';
import { HEADER_LENGTH, MessageType } from '../bgp/message-types.js';
import { writeHeader } from '../bgp/header.js';
import { ByteWriter } from '../bgp/writer.js';
import { parseIpv4, parseIpv6 } from '../bgp/addresses.js';
import type { RouteGroup, Table } from './table.js';

export interface PackOptions {
  /** Our ASN: prepended to every AS_PATH on an eBGP session. */
  localAs: number;
  ebgp: boolean;
  ctx: AttributeContext;
  maxMessageLength: number;
  /** NEXT_HOP for IPv4 routes. */
  nextHop4: string;
  /** Global (and optional link-local) next hop for IPv6 routes. */
  nextHop6: string;
  nextHop6LinkLocal?: string;
}

/** Iterates UPDATE batches; `sentPrefixes` counts what has been handed out. */
export class UpdatePacker {
  private group = 0;
  private offset = 0;
  private encodedAttrs?: { group: number; bytes: Uint8Array };
  private readonly nh4: Uint8Array;
  private readonly nh6: Uint8Array;
  sentPrefixes = 0;
  messages = 0;

  constructor(private readonly table: Table, private readonly opts: PackOptions) {
    const nh4 = parseIpv4(opts.nextHop4);
    if (!nh4) throw new Error(`IPv4 next hop "${opts.nextHop4}" is not an IPv4 address`);
    const nh6 = parseIpv6(opts.nextHop6);
    if (!nh6) throw new Error(`IPv6 next hop "${opts.nextHop6}" is not an IPv6 address`);
    const ll = opts.nextHop6LinkLocal === undefined ? undefined : parseIpv6(opts.nextHop6LinkLocal);
    if (opts.nextHop6LinkLocal !== undefined && !ll) throw new Error(`IPv6 link-local next hop "${opts.nextHop6LinkLocal}" is not an IPv6 address`);
    this.nh4 = nh4;
    this.nh6 = ll ? Uint8Array.from([...nh6, ...ll]) : nh6;
  }

  get done(): boolean {
    return this.group >= this.table.groups.length;
  }

  /** Attributes of a group as sent: our AS prepended (eBGP), IPv4 next hop set; MP_REACH is added per message. */
  private attrsFor(g: RouteGroup): Uint8Array {
    const gi = this.group;
    if (this.encodedAttrs?.group === gi) return this.encodedAttrs.bytes;
    const a = g.attrs;
    const asPath = this.opts.ebgp ? prepend(a.asPath, this.opts.localAs) : a.asPath;
    const attrs: PathAttributes = { ...a, asPath, origin: a.origin ?? 0 };
    if (g.afi === Afi.IPv4) attrs.nextHop = this.opts.nextHop4;
    else delete attrs.nextHop;
    delete attrs.nextHopLinkLocal;
    if (this.opts.ebgp) delete attrs.localPref;
    const w = new ByteWriter(128);
    writeAttributes(w, attrs, this.opts.ctx);
    const bytes = w.finish();
    this.encodedAttrs = { group: gi, bytes };
    return bytes;
  }

  /** The next batch of whole UPDATE messages, about `batchBytes` long; undefined when the table is done. */
  next(batchBytes = 256 * 1024): Uint8Array | undefined {
    if (this.done) return undefined;
    const max = this.opts.maxMessageLength;
    const out = new Uint8Array(Math.max(batchBytes, max) + max);
    let at = 0;
    while (!this.done && at + max <= out.length && (at < batchBytes)) {
      const g = this.table.groups[this.group];
      at = this.writeMessage(g, out, at);
      if (this.offset >= g.nlri.length) {
        this.group++;
        this.offset = 0;
      }
    }
    return out.subarray(0, at);
  }

  private writeMessage(g: RouteGroup, out: Uint8Array, start: number): number {
    const attrs = this.attrsFor(g);
    const max = this.opts.maxMessageLength;
    const ipv6 = g.afi !== Afi.IPv4;
    const mpFixed = ipv6 ? 4 + 2 + 1 + 1 + this.nh6.length + 1 : 0;
    const budget = max - HEADER_LENGTH - 4 - attrs.length - mpFixed;
    if (budget < 17) throw new Error(`attributes of ${attrs.length} octets leave no room for NLRI in a ${max}-octet UPDATE`);
    // Take whole prefix encodings up to the budget.
    const nlri = g.nlri;
    let end = this.offset;
    let count = 0;
    while (end < nlri.length) {
      const size = 1 + ((nlri[end] + 7) >> 3);
      if (end + size - this.offset > budget) break;
      end += size;
      count++;
    }
    const nlriBytes = nlri.subarray(this.offset, end);
    this.offset = end;
    let at = start + HEADER_LENGTH;
    out[at++] = 0;
    out[at++] = 0;
    const attrLen = attrs.length + (ipv6 ? mpFixed + nlriBytes.length : 0);
    out[at++] = attrLen >> 8;
    out[at++] = attrLen & 0xff;
    if (ipv6) {
      // MP_REACH_NLRI first, with the extended length bit (its NLRI exceed 255 octets). RFC 4760 §3.
      const mpLen = mpFixed - 4 + nlriBytes.length;
      out[at++] = AttrFlag.Optional | AttrFlag.ExtendedLength;
      out[at++] = AttrType.MpReachNlri;
      out[at++] = mpLen >> 8;
      out[at++] = mpLen & 0xff;
      out[at++] = 0;
      out[at++] = g.afi;
      out[at++] = 1;
      out[at++] = this.nh6.length;
      out.set(this.nh6, at);
      at += this.nh6.length;
      out[at++] = 0;
      out.set(nlriBytes, at);
      at += nlriBytes.length;
      out.set(attrs, at);
      at += attrs.length;
    } else {
      out.set(attrs, at);
      at += attrs.length;
      out.set(nlriBytes, at);
      at += nlriBytes.length;
    }
    writeHeader(out.subarray(start), at - start, MessageType.Update);
    this.sentPrefixes += count;
    this.messages++;
    return at;
  }
}

function prepend(path: PathAttributes['asPath'], asn: number): PathAttributes['asPath'] {
  const first = path[0];
  if (first && first.type === 2 && first.asns.length < 255) return [{ type: 2, asns: [asn, ...first.asns] }, ...path.slice(1)];
  return [{ type: 2, asns: [asn] }, ...path];
}
