/** What a tinydns `data` file means once parsed: records with their TTL, timestamp and location. */

/** Rdata is raw bytes and embedded domain names; names stay separate so responses can compress them (RFC 1035 §4.1.4). */
export type RdataPart = Buffer | { name: Buffer };

export interface DataRecord {
  /** Owner in wire format, ASCII-lowercased; a wildcard starts with the label `*`. */
  owner: Buffer;
  type: number;
  ttl: number;
  /**
   * tinydns timestamp as Unix seconds. With ttl 0 it is the time to die (TTL counts
   * down to it, record gone after it); with a non-zero ttl the record starts at it.
   */
  timestamp?: number;
  /** One- or two-character client location code from a `%` line. */
  location?: string;
  rdata: RdataPart[];
  /** 1-based line in the data file, for messages. */
  line: number;
}

export interface LocationLine {
  code: string;
  /** Leading IPv4 octets (0 to 4 of them); clients whose address starts with them are in `code`. */
  prefix: number[];
  line: number;
}

export interface DataFile {
  records: DataRecord[];
  locations: LocationLine[];
}

/** Default TTLs tinydns-data uses when a line omits ttl. */
export const enum DefaultTtl {
  /** NS and their A records from `.` and `&` lines. */
  Ns = 259200,
  /** Everything else except SOA. */
  Positive = 86400,
  /** SOA records (and `Z` lines without ttl). */
  Negative = 2560,
}

/** SOA timer defaults of `.` and `Z` lines: refresh, retry, expire, minimum (serial = data file mtime). */
export const soaDefaults = { refresh: 16384, retry: 2048, expire: 1048576, minimum: 2560 } as const;
