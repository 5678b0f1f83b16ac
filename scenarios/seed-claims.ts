/**
 * The figures the two source documents claim, each attributed to the document it comes
 * from; the report's "claimed" column prints the source next to the claim.
 *   seed 000: the telecom anycast DNS design (FRR announces a DNS /32 to partner ASes,
 *             timers 3 12, health-driven withdrawal; its "Real-World Performance Results").
 *   seed 001: BGPDNS (SwiNOG, 2002) — DNS answers ordered by the best BGP path to the client.
 * The BGPDNS labs borrow the telecom design's timers (3 12), so their sub-15 s claim is
 * seed 000's, not seed 001's.
 */
import type { Claim } from '@bgpdns-lab/harness';

export const SEED_TELECOM = 'seed 000 (telecom anycast DNS design)';
export const SEED_BGPDNS = 'seed 001 (BGPDNS, 2002)';

export const TELECOM_CLAIMS = {
  partnerFailover: { source: SEED_TELECOM, text: 'Partner Failover: 8-15 seconds (legacy 60-120 s)', value: 15_000 },
  routeConvergence: { source: SEED_TELECOM, text: 'Route Convergence: 5-8 seconds (legacy 45 s)', value: 8_000 },
  dnsResolution: { source: SEED_TELECOM, text: 'DNS Resolution: 3-8ms (legacy 15-30 ms)', value: 8 },
  subFifteen: { source: SEED_TELECOM, text: 'timers 3 12 (hold 12 s): "sub-15 second failover times"', value: 15_000 },
} satisfies Record<string, Claim>;

export const BGPDNS_CLAIMS = {
  immediate: { source: SEED_BGPDNS, text: 'slide 24: responsiveness to link state or topology changes is immediate for new requests' },
  timeout: { source: SEED_BGPDNS, text: 'slide 33: no answer from the BGPDNS server within 1 s → random order', value: 1000 },
} satisfies Record<string, Claim>;
