/** Helpers that turn a differential corpus into what each server reads. */

/** TAI64 label for a Unix time (2^62 + 10 + seconds, as djb's libtai). */
export function tai64Label(unixSeconds: number): string {
  return ((1n << 62n) + 10n + BigInt(unixSeconds)).toString(16).padStart(16, '0');
}

/** Replaces {{ts:+N}} / {{ts:-N}} with the label N seconds from `now`. */
export function withTimestamps(text: string, now: number): string {
  return text.replace(/\{\{ts:([+-]\d+)\}\}/g, (_m, d: string) => tai64Label(now + Number(d)));
}

function octal(bytes: Buffer): string {
  return [...bytes].map((b) => '\\' + b.toString(8).padStart(3, '0')).join('');
}

/**
 * Debian's tinydns-data has no IPv6 lines: `3` becomes a generic type-28 line,
 * `6` additionally a `^` PTR in ip6.arpa — the same records, spelled in 1.05.
 */
export function tinydnsCompatible(text: string): string {
  return text
    .split('\n')
    .flatMap((line) => {
      if (line[0] !== '3' && line[0] !== '6') return [line];
      const [fqdn, hex, ...rest] = line.slice(1).split(':');
      const ip = Buffer.from(hex, 'hex');
      const tail = rest.length ? ':' + rest.join(':') : '';
      const out = [`:${fqdn}:28:${octal(ip)}${tail}`];
      if (line[0] === '6') out.push(`^${hex.split('').reverse().join('.')}.ip6.arpa:${fqdn}${tail}`);
      return out;
    })
    .join('\n');
}
