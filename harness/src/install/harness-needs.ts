import type { HostNeed } from './host-need.js';

/**
 * What the harness itself runs on the host, whatever the lab: building namespaces and
 * links (ip, tc), faults (nft), entering namespaces and containers (nsenter), kernel
 * knobs (sysctl). A fresh Debian machine ships iproute2, procps and util-linux; nftables
 * it does not.
 */
export const HARNESS_NEEDS: readonly HostNeed[] = [
  { executable: '/usr/sbin/ip', package: 'iproute2' },
  { executable: '/usr/sbin/tc', package: 'iproute2' },
  { executable: '/usr/sbin/nft', package: 'nftables' },
  { executable: '/usr/bin/nsenter', package: 'util-linux' },
  { executable: '/usr/sbin/sysctl', package: 'procps' },
];

/**
 * The Docker runtime: an engine to talk to, mmdebstrap for the offline base image, and
 * tar to pack the files copied into the containers of a node on another host.
 */
export const DOCKER_NEEDS: readonly HostNeed[] = [
  { executable: '/usr/sbin/dockerd', package: 'docker.io' },
  { executable: '/usr/bin/mmdebstrap', package: 'mmdebstrap' },
  { executable: '/usr/bin/tar', package: 'tar' },
];

/**
 * Tools that tests (not labs) run on the host, each with the test that needs it:
 * junit.xml is checked against its XSD (report/junit.test.ts), the HTML report is
 * rendered in headless Chromium (report/report-browser.test.ts, with a font so text
 * has a size), the CLI's not-root tests run it as an unprivileged user, and the
 * health agent's test reads its status with curl.
 */
export const TEST_TOOL_NEEDS: readonly HostNeed[] = [
  { executable: '/usr/bin/xmllint', package: 'libxml2-utils' },
  { executable: '/usr/bin/chromium', package: 'chromium' },
  { executable: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', package: 'fonts-dejavu-core' },
  { executable: '/usr/sbin/runuser', package: 'util-linux' },
  // health/agent.test.ts reads the agent's live status over HTTP inside its namespace
  { executable: '/usr/bin/curl', package: 'curl' },
];

/** Load generators and reference daemons the benchmarks run (bench/), each with its bench. */
export const BENCH_NEEDS: readonly HostNeed[] = [
  // bench dns: the load generator, and the speed references: NSD (one server process), Knot (one UDP worker)
  { executable: '/usr/bin/dnsperf', package: 'dnsperf' },
  { executable: '/usr/sbin/nsd', package: 'nsd' },
  { executable: '/usr/sbin/knotd', package: 'knot' },
  // bench sorter: BIRD 2, the RIB memory and ingest reference (bench/_bird.ts)
  { executable: '/usr/sbin/bird', package: 'bird2' },
  { executable: '/usr/sbin/birdc', package: 'bird2' },
];
