/**
 * OPEN message with capabilities. RFC 4271 §4.2, RFC 5492 (capabilities),
 * RFC 9072 (extended optional parameters length).
 */
import { HEADER_LENGTH, MessageType } from './message-types.js';
import { AS_TRANS, CapabilityCode, OptParamType } from './capability-codes.js';
import { BgpError } from './errors.js';
import { ErrorCode, HeaderSubcode, OpenSubcode } from './notification-codes.js';
import { ipv4ToString, parseIpv4 } from './addresses.js';
import { ByteWriter, readU16, readU32 } from './writer.js';
import { writeHeader } from './header.js';
import type { Afi, Safi } from './types.js';

export type Capability =
  | { code: CapabilityCode.Multiprotocol; afi: Afi; safi: Safi }
  | { code: CapabilityCode.RouteRefresh }
  | { code: CapabilityCode.EnhancedRouteRefresh }
  | { code: CapabilityCode.ExtendedMessage }
  | { code: CapabilityCode.FourOctetAs; asn: number }
  /**
   * RFC 4724 §3. Without families it says "I keep no forwarding state but
   * understand End-of-RIB", which makes peers such as FRR send End-of-RIB.
   */
  | { code: CapabilityCode.GracefulRestart; restartFlags: number; restartTime: number; families: { afi: Afi; safi: Safi; flags: number }[] }
  /** Any other capability, kept as received (RFC 5492 §3: unknown ones are ignored, not rejected). */
  | { code: number; value: Uint8Array };

/** An optional parameter other than Capabilities (deprecated type 1 authentication and the like). */
export interface OtherOptionalParameter {
  type: number;
  value: Uint8Array;
}

export interface OpenMessage {
  version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real ASN needs 4 octets). */
  myAs: number;
  holdTime: number;
  /** BGP Identifier in dotted form. */
  bgpId: string;
  capabilities: Capability[];
  otherParameters?: OtherOptionalParameter[];
  /** True when the RFC 9072 extended parameter encoding was used (decode) or must be used (encode). */
  extendedParameters?: boolean;
}

function capabilityValue(cap: Capability): Uint8Array {
  switch (cap.code) {
    case CapabilityCode.Multiprotocol: {
      const c = cap as { afi: Afi; safi: Safi };
      return Uint8Array.of(c.afi >> 8, c.afi & 0xff, 0, c.safi);
    }
    case CapabilityCode.FourOctetAs:
      return new ByteWriter(4).u32((cap as { asn: number }).asn).finish();
    case CapabilityCode.GracefulRestart: {
      if ('value' in cap) return cap.value;
      const g = cap as { restartFlags: number; restartTime: number; families: { afi: Afi; safi: Safi; flags: number }[] };
      const w = new ByteWriter(2 + 4 * g.families.length);
      // Restart Flags (4 bits) and Restart Time in seconds (12 bits).
      w.u16(((g.restartFlags & 0xf) << 12) | (g.restartTime & 0xfff));
      for (const f of g.families) w.u16(f.afi).u8(f.safi).u8(f.flags);
      return w.finish();
    }
    default:
      return 'value' in cap ? cap.value : new Uint8Array(0);
  }
}

function decodeCapability(code: number, buf: Uint8Array, at: number, len: number): Capability {
  const value = (): Uint8Array => buf.slice(at, at + len);
  switch (code) {
    case CapabilityCode.Multiprotocol:
      if (len !== 4) return { code, value: value() };
      return { code, afi: readU16(buf, at) as Afi, safi: buf[at + 3] as Safi };
    case CapabilityCode.FourOctetAs:
      if (len !== 4) return { code, value: value() };
      return { code, asn: readU32(buf, at) };
    case CapabilityCode.GracefulRestart: {
      if (len < 2 || (len - 2) % 4) return { code, value: value() };
      const head = readU16(buf, at);
      const families = [];
      for (let i = at + 2; i < at + len; i += 4) families.push({ afi: readU16(buf, i) as Afi, safi: buf[i + 2] as Safi, flags: buf[i + 3] });
      return { code, restartFlags: head >> 12, restartTime: head & 0xfff, families };
    }
    case CapabilityCode.RouteRefresh:
    case CapabilityCode.EnhancedRouteRefresh:
    case CapabilityCode.ExtendedMessage:
      if (len !== 0) return { code, value: value() };
      return { code } as Capability;
    default:
      return { code, value: value() };
  }
}

function openError(subcode: number, reason: string, data?: Uint8Array): BgpError {
  return new BgpError(ErrorCode.OpenMessage, subcode, reason, data);
}

/** Decodes an OPEN (whole message including header). */
export function decodeOpen(msg: Uint8Array): OpenMessage {
  const b = HEADER_LENGTH;
  const version = msg[b];
  const myAs = readU16(msg, b + 1);
  const holdTime = readU16(msg, b + 3);
  const bgpId = ipv4ToString(msg, b + 5);
  let paramsLen = msg[b + 9];
  let at = b + 10;
  let extended = false;
  // RFC 9072 §2: Non-Ext OP Len 255 followed by Non-Ext OP Type 255 announces 2-octet lengths.
  if (paramsLen > 0 && at < msg.length && msg[at] === OptParamType.ExtendedLength) {
    if (at + 3 > msg.length) throw new BgpError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength, 'truncated extended optional parameters length');
    extended = true;
    paramsLen = readU16(msg, at + 1);
    at += 3;
  }
  const end = at + paramsLen;
  if (end !== msg.length) {
    throw new BgpError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength,
      `optional parameters length ${paramsLen} does not match message length ${msg.length}`, Uint8Array.of(msg.length >> 8, msg.length & 0xff));
  }
  const capabilities: Capability[] = [];
  const otherParameters: OtherOptionalParameter[] = [];
  const headerLen = extended ? 3 : 2;
  while (at < end) {
    if (at + headerLen > end) throw openError(0, 'optional parameter header runs past the end');
    const type = msg[at];
    const len = extended ? readU16(msg, at + 1) : msg[at + 1];
    at += headerLen;
    if (at + len > end) throw openError(0, `optional parameter type ${type} length ${len} runs past the end`);
    if (type === OptParamType.Capabilities) {
      const capEnd = at + len;
      let c = at;
      while (c < capEnd) {
        if (c + 2 > capEnd) throw openError(0, 'capability header runs past the end of its parameter');
        const code = msg[c];
        const clen = msg[c + 1];
        if (c + 2 + clen > capEnd) throw openError(0, `capability ${code} length ${clen} runs past the end of its parameter`);
        capabilities.push(decodeCapability(code, msg, c + 2, clen));
        c += 2 + clen;
      }
    } else {
      otherParameters.push({ type, value: msg.slice(at, at + len) });
    }
    at += len;
  }
  const open: OpenMessage = { version, myAs, holdTime, bgpId, capabilities };
  if (otherParameters.length) open.otherParameters = otherParameters;
  if (extended) open.extendedParameters = true;
  return open;
}

/** Encodes an OPEN; switches to the RFC 9072 encoding when the parameters exceed 255 octets. */
export function encodeOpen(open: OpenMessage): Uint8Array {
  const params = new ByteWriter(64);
  const caps = open.capabilities.map((c) => ({ code: c.code, value: capabilityValue(c) }));
  const capsLen = caps.reduce((n, c) => n + 2 + c.value.length, 0);
  const others = open.otherParameters ?? [];
  const totalShort = (capsLen > 0 ? 2 + capsLen : 0) + others.reduce((n, p) => n + 2 + p.value.length, 0);
  const extended = open.extendedParameters === true || totalShort > 255 || capsLen > 255;
  const paramHeader = (type: number, len: number): void => {
    params.u8(type);
    if (extended) params.u16(len);
    else params.u8(len);
  };
  if (caps.length) {
    paramHeader(OptParamType.Capabilities, capsLen);
    for (const c of caps) params.u8(c.code).u8(c.value.length).bytes(c.value);
  }
  for (const p of others) {
    paramHeader(p.type, p.value.length);
    params.bytes(p.value);
  }
  const body = params.finish();
  const id = parseIpv4(open.bgpId);
  if (!id) throw new Error(`OPEN: BGP identifier "${open.bgpId}" is not dotted IPv4`);
  const w = new ByteWriter(HEADER_LENGTH + 13 + body.length);
  w.pos = HEADER_LENGTH;
  w.u8(open.version).u16(open.myAs).u16(open.holdTime).bytes(id);
  if (extended) w.u8(255).u8(OptParamType.ExtendedLength).u16(body.length);
  else w.u8(body.length);
  w.bytes(body);
  const out = w.finish();
  writeHeader(out, out.length, MessageType.Open);
  return out;
}

/** What a peer's OPEN says it can do, in the form the session needs. */
export interface OpenSummary {
  /** The real ASN: the 4-octet capability's when present, else My Autonomous System. RFC 6793 §4.1. */
  asn: number;
  fourOctetAs: boolean;
  families: { afi: Afi; safi: Safi }[];
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  extendedMessage: boolean;
  gracefulRestart: boolean;
  /** The Graceful Restart capability's content (RFC 4724 §3), when present. */
  restart?: PeerRestartCapability;
}

export interface PeerRestartCapability {
  /** Restart Time, seconds: how long to keep the peer's routes while it comes back. */
  time: number;
  /** Restart State (R) bit. */
  restarting: boolean;
  /** Families the peer can restart for; F bit = forwarding state preserved across the restart. */
  families: { afi: Afi; safi: Safi; forwardingPreserved: boolean }[];
}

export function summarizeOpen(open: OpenMessage): OpenSummary {
  const s: OpenSummary = {
    asn: open.myAs,
    fourOctetAs: false,
    families: [],
    routeRefresh: false,
    enhancedRouteRefresh: false,
    extendedMessage: false,
    gracefulRestart: false,
  };
  for (const c of open.capabilities) {
    if (c.code === CapabilityCode.FourOctetAs && 'asn' in c) {
      s.fourOctetAs = true;
      s.asn = c.asn;
    } else if (c.code === CapabilityCode.Multiprotocol && 'afi' in c) {
      s.families.push({ afi: c.afi, safi: c.safi });
    } else if (c.code === CapabilityCode.RouteRefresh && !('value' in c)) {
      s.routeRefresh = true;
    } else if (c.code === CapabilityCode.EnhancedRouteRefresh && !('value' in c)) {
      s.enhancedRouteRefresh = true;
    } else if (c.code === CapabilityCode.ExtendedMessage && !('value' in c)) {
      s.extendedMessage = true;
    } else if (c.code === CapabilityCode.GracefulRestart && !('value' in c)) {
      s.gracefulRestart = true;
      s.restart = {
        time: c.restartTime,
        restarting: (c.restartFlags & 0x8) !== 0,
        families: c.families.map((f) => ({ afi: f.afi, safi: f.safi, forwardingPreserved: (f.flags & 0x80) !== 0 })),
      };
    }
  }
  return s;
}

/** The 2-octet My Autonomous System value for a (possibly 4-octet) ASN. RFC 6793 §4.1. */
export function myAsField(asn: number): number {
  return asn > 0xffff ? AS_TRANS : asn;
}
