/** NOTIFICATION error codes and subcodes, with names for logs. */

/** Error codes. RFC 4271 §4.5, RFC 4486 (Cease subcodes), RFC 7313 §5 (ROUTE-REFRESH). */
export const enum ErrorCode {
  MessageHeader = 1,
  OpenMessage = 2,
  UpdateMessage = 3,
  HoldTimerExpired = 4,
  FsmError = 5,
  Cease = 6,
  RouteRefreshMessage = 7,
}

/** Message Header Error subcodes. RFC 4271 §6.1. */
export const enum HeaderSubcode {
  ConnectionNotSynchronized = 1,
  BadMessageLength = 2,
  BadMessageType = 3,
}

/** OPEN Message Error subcodes. RFC 4271 §6.2, RFC 5492 §5 (Unsupported Capability). */
export const enum OpenSubcode {
  UnsupportedVersion = 1,
  BadPeerAs = 2,
  BadBgpIdentifier = 3,
  UnsupportedOptionalParameter = 4,
  UnacceptableHoldTime = 6,
  UnsupportedCapability = 7,
}

/** UPDATE Message Error subcodes. RFC 4271 §6.3. */
export const enum UpdateSubcode {
  MalformedAttributeList = 1,
  UnrecognizedWellKnownAttribute = 2,
  MissingWellKnownAttribute = 3,
  AttributeFlagsError = 4,
  AttributeLengthError = 5,
  InvalidOriginAttribute = 6,
  InvalidNextHopAttribute = 8,
  OptionalAttributeError = 9,
  InvalidNetworkField = 10,
  MalformedAsPath = 11,
}

/** Finite State Machine Error subcodes. RFC 6608 §4. */
export const enum FsmSubcode {
  Unspecified = 0,
  UnexpectedInOpenSent = 1,
  UnexpectedInOpenConfirm = 2,
  UnexpectedInEstablished = 3,
}

/** Cease subcodes. RFC 4486 §4, RFC 8203 (shutdown communication). */
export const enum CeaseSubcode {
  MaximumPrefixes = 1,
  AdministrativeShutdown = 2,
  PeerDeconfigured = 3,
  AdministrativeReset = 4,
  ConnectionRejected = 5,
  OtherConfigurationChange = 6,
  ConnectionCollisionResolution = 7,
  OutOfResources = 8,
}

/** ROUTE-REFRESH Message Error subcodes. RFC 7313 §5. */
export const enum RouteRefreshSubcode {
  InvalidMessageLength = 1,
}

const codeNames: Record<number, string> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
};

const subcodeNames: Record<number, Record<number, string>> = {
  1: { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  2: {
    0: 'Unspecific',
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
  },
  3: {
    0: 'Unspecific',
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  5: {
    0: 'Unspecified Error',
    1: 'Receive Unexpected Message in OpenSent State',
    2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  },
  6: {
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
  },
  7: { 1: 'Invalid Message Length' },
};

/** "Cease/Connection Rejected (6/5)" style text for logs and errors. */
export function notificationName(code: number, subcode: number): string {
  const codeName = codeNames[code] ?? `error ${code}`;
  const subName = subcodeNames[code]?.[subcode];
  return subName ? `${codeName}/${subName} (${code}/${subcode})` : `${codeName} (${code}/${subcode})`;
}
