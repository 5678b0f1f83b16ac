/** Small builders shared by the RIB and sorter unit tests. */
import { AsPathSegmentType, Origin, type PathAttributes, type Prefix } from '../bgp/types.js';
import { parsePrefix, wordsToPrefix } from './address.js';

export function prefix(text: string): Prefix {
  const p = parsePrefix(text);
  return wordsToPrefix(p.afi, p.words, p.len);
}

/** Attributes with one AS_SEQUENCE (`asns`), origin IGP, plus overrides. */
export function path(asns: number[], extra: Partial<PathAttributes> = {}): PathAttributes {
  return {
    origin: Origin.Igp,
    asPath: asns.length > 0 ? [{ type: AsPathSegmentType.AsSequence, asns }] : [],
    nextHop: '198.18.0.1',
    ...extra,
  };
}
