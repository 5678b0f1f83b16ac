/**
 * The churn workload of `bench sorter` (bench/sorter-churn.ts sends it).
 *
 * Rates. Published DFZ measurements: Geoff Huston, "BGP in 2024 – updates"
 * (APNIC, labs.apnic.net/?p=1952 / blog.apnic.net, Jan 2025), seen from AS131072:
 * some 15,000–20,000 IPv4 withdrawals per day, steady since 2011 (75,000/day for
 * a while from mid-2022), while the table grew to about 1,000,000 prefixes. The
 * report's per-day count of update messages was not in the text we could read,
 * and we found no published burst size; so, explicitly ASSUMED here:
 *   - steady: STEADY_PER_S prefix updates per second, alternating announce and
 *     withdraw (864,000 a day: well above the withdrawal figure times ten, so a
 *     pessimistic steady state), spread evenly over each second;
 *   - bursts: BURST prefixes announced and then withdrawn in one go every
 *     BURST_EVERY_S seconds (a session reset or a large re-route somewhere),
 *     more than the sorter's 1,024-step change log, so a cache behind it flushes
 *     (the bench shows what that costs).
 */
export const STEADY_PER_S = 10;
export const BURST = 2000;
export const BURST_EVERY_S = 10;
/** ASN of the churn peer (documentation range). */
export const CHURN_AS = 64501;
/** The DNS clients' networks the churn peer announces and never flaps: every /24 of 198.18.0.0/15. */
export const CLIENT_NETS = 512;
/** The i-th client /24 (network address bytes). */
export const clientNet = (i: number): Uint8Array => Uint8Array.of(198, 18 + (i >> 8), i & 0xff);
