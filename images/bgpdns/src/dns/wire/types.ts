/** Resource record types the DNS front handles by name. RFC 1035 §3.2.2, RFC 3596 §2.1, RFC 6891 §6.1.1, RFC 1995 §3, RFC 5936. */
export const enum RrType {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  OPT = 41,
  IXFR = 251,
  AXFR = 252,
  ANY = 255,
}

/** Classes. RFC 1035 §3.2.4 / §3.2.5. */
export const enum RrClass {
  IN = 1,
  ANY = 255,
}

/** Header RCODE values (low 4 bits) and the EDNS extended one. RFC 1035 §4.1.1, RFC 6891 §9. */
export const enum Rcode {
  NoError = 0,
  FormErr = 1,
  ServFail = 2,
  NxDomain = 3,
  NotImp = 4,
  Refused = 5,
  /** Extended: upper 8 bits = 1 in the OPT TTL, header rcode 0. RFC 6891 §9. */
  BadVers = 16,
}

/** Header flag bits in the 16-bit flags word. RFC 1035 §4.1.1. */
export const enum HeaderFlag {
  QR = 0x8000,
  AA = 0x0400,
  TC = 0x0200,
  RD = 0x0100,
  RA = 0x0080,
}

/** EDNS option codes. RFC 7871 §6. */
export const enum EdnsOption {
  ClientSubnet = 8,
}

export const rcodeNames: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  16: 'BADVERS',
};
