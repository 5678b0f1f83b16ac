/** OPEN optional parameter and capability codes. */

/** Optional parameter types. RFC 5492 §4 (Capabilities), RFC 9072 §2 (extended length marker). */
export const enum OptParamType {
  Capabilities = 2,
  /** RFC 9072 §2: a Non-Ext OP Type of 255 marks the extended optional parameters encoding. */
  ExtendedLength = 255,
}

/** Capability codes (IANA "Capability Codes"). */
export const enum CapabilityCode {
  /** RFC 4760 §8 */
  Multiprotocol = 1,
  /** RFC 2918 §2 */
  RouteRefresh = 2,
  /** RFC 8654 §3 */
  ExtendedMessage = 6,
  /** RFC 4724 §3 */
  GracefulRestart = 64,
  /** RFC 6793 §3 */
  FourOctetAs = 65,
  /** RFC 7313 §3 */
  EnhancedRouteRefresh = 70,
}

/** AS number used in 2-octet fields for a 4-octet ASN. RFC 6793 §9. */
export const AS_TRANS = 23456;

export function capabilityName(code: number): string {
  switch (code) {
    case CapabilityCode.Multiprotocol: return 'multiprotocol';
    case CapabilityCode.RouteRefresh: return 'route-refresh';
    case CapabilityCode.ExtendedMessage: return 'extended-message';
    case CapabilityCode.GracefulRestart: return 'graceful-restart';
    case CapabilityCode.FourOctetAs: return '4-octet-as';
    case CapabilityCode.EnhancedRouteRefresh: return 'enhanced-route-refresh';
    default: return `capability ${code}`;
  }
}
