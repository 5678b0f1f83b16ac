/**
 * Next hops a route cannot use (RFC 4271 §6.3: not a host address, or the
 * receiving speaker's own address; RFC 4760 §3 for MP_REACH next hops). Such an
 * UPDATE is treat-as-withdraw (RFC 7606 §7.3, and §7.11 for MP_REACH).
 */
import { parseIp } from './addresses.js';

// A table's UPDATEs mostly repeat one next hop: the last verdict is kept.
let lastHop = '';
let lastOwn: string | undefined;
let lastVerdict: string | undefined;

/** Why `nextHop` (text, IPv4 or IPv6) is unusable, or undefined when it is usable. */
export function unusableNextHop(nextHop: string, ownAddress?: string): string | undefined {
  if (nextHop === lastHop && ownAddress === lastOwn) return lastVerdict;
  lastVerdict = judge(nextHop, ownAddress);
  lastHop = nextHop;
  lastOwn = ownAddress;
  return lastVerdict;
}

function judge(nextHop: string, ownAddress: string | undefined): string | undefined {
  const b = parseIp(nextHop);
  if (!b) return `next hop "${nextHop}" is not an address`;
  if (b.length === 4) {
    if (b[0] === 0) return `next hop ${nextHop} is in 0.0.0.0/8 ("this network")`;
    if ((b[0] & 0xf0) === 0xe0) return `next hop ${nextHop} is multicast`;
    if (b[0] === 255 && b[1] === 255 && b[2] === 255 && b[3] === 255) return `next hop ${nextHop} is the broadcast address`;
  } else {
    if (b.every((x) => x === 0)) return `next hop ${nextHop} is the unspecified address`;
    if (b[0] === 0xff) return `next hop ${nextHop} is multicast`;
  }
  if (ownAddress !== undefined) {
    const own = parseIp(ownAddress);
    if (own && own.length === b.length && own.every((x, i) => x === b[i])) return `next hop ${nextHop} is our own address`;
  }
  return undefined;
}
