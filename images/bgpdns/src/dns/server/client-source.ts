/**
 * The client address every later step sees. A dual-stack socket ([::]) reports
 * IPv4 clients as IPv4-mapped IPv6 (::ffff:a.b.c.d, RFC 4291 §2.5.5.2); they are
 * turned back into a.b.c.d here, once, so rate limiting, tinydns `%` locations
 * and the sorter's client all treat them as the IPv4 clients they are.
 */
import { isIPv4 } from 'node:net';

const mappedPrefix = '::ffff:';

export function clientAddress(address: string): string {
  if (address.length > mappedPrefix.length && address.slice(0, mappedPrefix.length).toLowerCase() === mappedPrefix) {
    const v4 = address.slice(mappedPrefix.length);
    if (isIPv4(v4)) return v4;
  }
  return address;
}
