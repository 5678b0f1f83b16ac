/**
 * Naming rules that keep every lab resource findable by its lab name.
 *
 * Network namespaces are named `<lab>.<node>` (see netnsName). Lab names may not
 * contain '.', so the prefix `<lab>.` is unambiguous: lab "a" never claims the
 * namespaces of lab "a-b". A namespace name is a file name under /run/netns,
 * so `<lab>.<node>` must stay within NAME_MAX (255 bytes).
 */

/** Linux IFNAMSIZ is 16 including the terminating NUL. */
export const IFNAME_MAX = 15;
/** A netns name is a file name in /run/netns (NAME_MAX). */
export const NETNS_NAME_MAX = 255;

const LAB_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
// The kernel rejects '/', ':' is our endpoint separator, and whitespace breaks `ip` output.
const IFNAME = /^[A-Za-z0-9_.@-]+$/;

export function netnsName(lab: string, node: string): string {
  return `${lab}.${node}`;
}

/** The lab a namespace belongs to, if it looks like one of ours. */
export function labOfNetns(ns: string): string | undefined {
  const dot = ns.indexOf('.');
  if (dot <= 0) return undefined;
  const lab = ns.slice(0, dot);
  return LAB_NAME.test(lab) ? lab : undefined;
}

/** Why `name` cannot be a lab name, or undefined when it can. */
export function labNameProblem(name: string): string | undefined {
  if (!LAB_NAME.test(name)) {
    return `expected a lab name of letters, digits, '-' and '_' (starting with a letter or digit), got ${JSON.stringify(name)}`;
  }
  if (name.length > 64) return `expected a lab name of at most 64 characters, got ${name.length}`;
  return undefined;
}

/**
 * Daemons' unix sockets live in the node directory /run/bgpdns-lab/<lab>/<node>/, and a
 * socket path must fit sun_path (108 bytes with the NUL); "/staticd.vty" is the longest name.
 */
export const SOCKET_PATH_MAX = 107;
// Mirrors the default LAB_ROOT of runtime/lab-state.ts (names are checked before any runtime exists).
const NODE_DIR_PREFIX = '/run/bgpdns-lab/';
const LONGEST_SOCKET = '/staticd.vty';

export function nodeNameProblem(lab: string, name: string): string | undefined {
  if (!NODE_NAME.test(name)) {
    return `expected a node name of letters, digits, '-', '_' and '.' (starting with a letter or digit), got ${JSON.stringify(name)}`;
  }
  const ns = netnsName(lab, name);
  if (Buffer.byteLength(ns) > NETNS_NAME_MAX) {
    return `namespace name "${ns}" would be longer than ${NETNS_NAME_MAX} bytes; use a shorter node name`;
  }
  const socket = `${NODE_DIR_PREFIX}${lab}/${name}${LONGEST_SOCKET}`;
  if (Buffer.byteLength(socket) > SOCKET_PATH_MAX) {
    const room = SOCKET_PATH_MAX - Buffer.byteLength(`${NODE_DIR_PREFIX}${lab}/${LONGEST_SOCKET}`);
    return `node name is ${name.length} characters; with lab "${lab}" at most ${room} fit, because the node's daemon sockets (${socket}) must stay within ${SOCKET_PATH_MAX} bytes`;
  }
  return undefined;
}

export function ifaceNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'expected an interface name after ":"';
  if (name.length > IFNAME_MAX) {
    return `interface name "${name}" is ${name.length} characters; Linux allows at most ${IFNAME_MAX}`;
  }
  if (!IFNAME.test(name) || name === '.' || name === '..') {
    return `interface name "${name}" may only contain letters, digits and "_.@-"`;
  }
  if (name === 'lo') return 'interface name "lo" is the loopback every node already has';
  return undefined;
}
