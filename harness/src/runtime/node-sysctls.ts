/**
 * Network sysctls every lab node gets, whatever the runtime. A new network namespace
 * copies the host's current values (net.core.devconf_inherit_init_net = 0), so a
 * node forwards only where the host happens to: a host that once ran dockerd has
 * IPv4 forwarding on, a fresh Debian machine has it off and every router of a lab
 * would drop what it should route. Containerlab's nodes forward because Docker
 * turned it on for the host; labs here say so per node instead of relying on the host.
 */
export const NODE_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '1',
  'net.ipv6.conf.all.forwarding': '1',
  // Docker disables IPv6 in containers unless told otherwise; a namespace inherits it.
  'net.ipv6.conf.all.disable_ipv6': '0',
  'net.ipv6.conf.default.disable_ipv6': '0',
};

/** `sysctl` arguments that set NODE_SYSCTLS (run inside the node's namespace). */
export function nodeSysctlArgv(): string[] {
  return ['sysctl', '-q', '-w', ...Object.entries(NODE_SYSCTLS).map(([k, v]) => `${k}=${v}`)];
}
