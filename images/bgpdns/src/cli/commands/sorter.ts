/**
 * `bgpdns sorter --config FILE` — the BGPDNS sorter daemon (listen-only BGP,
 * RIB, authenticated UDP query service, status/metrics). `--check` validates
 * the configuration and exits.
 */
import { parseArgs } from 'node:util';
import type { Command } from '../main.js';
import { ConfigError, loadSorterConfig } from '../../sorter/config.js';
import { SorterDaemon } from '../../sorter/daemon.js';
import { jsonLogger, type LogLevel } from '../../sorter/log.js';

const usage = `usage: bgpdns sorter --config FILE [--check] [--log-level debug|info|warn|error]
  --config FILE   JSON or YAML configuration (see docs/bgpdns-protocol.md, "The sorter daemon")
  --check         validate the configuration and exit
  --log-level L   minimum level of the JSON log lines on stderr (default info)`;

export const command: Command = {
  summary: 'BGPDNS sorter: listen-only BGP, best path per client, authenticated UDP queries',
  usage,
  async run(argv) {
    let values: { config?: string; check?: boolean; 'log-level'?: string };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: { config: { type: 'string' }, check: { type: 'boolean' }, 'log-level': { type: 'string' } },
        strict: true,
      }));
    } catch (e) {
      console.error(`bgpdns sorter: ${(e as Error).message}\n${usage}`);
      return 2;
    }
    if (!values.config) {
      console.error(`bgpdns sorter: --config is required\n${usage}`);
      return 2;
    }
    const level = (values['log-level'] ?? 'info') as LogLevel;
    if (!['debug', 'info', 'warn', 'error'].includes(level)) {
      console.error(`bgpdns sorter: --log-level must be debug, info, warn or error, got "${level}"`);
      return 2;
    }
    let config;
    try {
      config = loadSorterConfig(values.config);
    } catch (e) {
      if (e instanceof ConfigError) {
        console.error(e.message);
        return 2;
      }
      throw e;
    }
    if (values.check) {
      console.log(`${config.file}: ok (${config.peers.length} peers, query port ${config.query.port})`);
      return 0;
    }
    const log = jsonLogger('sorter', level);
    const daemon = new SorterDaemon(config, log);
    try {
      await daemon.start();
    } catch (e) {
      log.log('error', `cannot start: ${(e as Error).message}`);
      await daemon.stop().catch(() => undefined);
      return 1;
    }
    log.log('info', 'sorter running', { config: config.file, pid: process.pid });
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        log.log('info', 'shutting down: NOTIFICATION Cease to every peer', { signal });
        void daemon.stop().finally(resolve);
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
    return 0;
  },
};
