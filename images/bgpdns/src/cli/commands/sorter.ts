/**
 * `bgpdns sorter --config FILE` — the BGPDNS sorter daemon (listen-only BGP,
 * RIB, authenticated UDP query service, status/metrics). `--check` validates
 * the configuration and exits.
 */
import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import type { Command } from '../main.js';
import { ConfigError, loadSorterConfig } from '../../sorter/config.js';
import { SorterDaemon } from '../../sorter/daemon.js';
import { jsonLogger, type LogLevel } from '../../sorter/log.js';
import { SorterClient } from '../../sorter/client.js';
import { parseKeySpec } from '../../sorter/protocol-auth.js';

const usage = `usage: bgpdns sorter --config FILE [--check] [--log-level debug|info|warn|error]
       bgpdns sorter query --server ADDR[:PORT] --key ID:HEX --client ADDR[/LEN] [--timeout MS] CANDIDATE...
  --config FILE   JSON or YAML configuration (see docs/bgpdns-protocol.md, "The sorter daemon")
  --check         validate the configuration and exit
  --log-level L   minimum level of the JSON log lines on stderr (default info)
  query           ask a running sorter once (query protocol v1) and print the answer as JSON`;

/** `bgpdns sorter query …`: one authenticated query, the answer as one JSON line (probes, operators). */
async function query(argv: string[]): Promise<number> {
  let values: { server?: string; key?: string; client?: string; timeout?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { server: { type: 'string' }, key: { type: 'string' }, client: { type: 'string' }, timeout: { type: 'string' } },
    }));
  } catch (e) {
    console.error(`bgpdns sorter query: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  const fail = (m: string): number => {
    console.error(`bgpdns sorter query: ${m}\n${usage}`);
    return 2;
  };
  if (!values.server || !values.key || !values.client) return fail('--server, --key and --client are required');
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(values.server);
  const host = values.server.includes('[') || (values.server.match(/:/g) ?? []).length === 1 ? m?.[1] : values.server;
  const port = values.server.includes('[') || (values.server.match(/:/g) ?? []).length === 1 ? Number(m?.[2] ?? 179) : 179;
  if (!host || isIP(host) === 0 || !(port >= 1 && port <= 65535)) return fail(`--server must be ADDR[:PORT] (IPv6 as [ADDR]:PORT), got "${values.server}"`);
  let keyId: number;
  let key: Buffer;
  try {
    [keyId, key] = parseKeySpec(values.key);
  } catch (e) {
    return fail(`--key: ${(e as Error).message}`);
  }
  const [client, len] = values.client.split('/');
  const clientPrefixLen = len === undefined ? undefined : Number(len);
  const timeoutMs = values.timeout === undefined ? 1000 : Number(values.timeout);
  if (!(timeoutMs > 0)) return fail(`--timeout must be a positive number of ms, got "${values.timeout}"`);
  const c = await SorterClient.open({ host, port, keyId, key, timeoutMs });
  try {
    const started = performance.now();
    const answer = await c.rank({ client, clientPrefixLen, candidates: positionals });
    console.log(JSON.stringify({ ...answer, candidates: positionals, rttMs: Math.round((performance.now() - started) * 1000) / 1000 }));
    return 0;
  } catch (e) {
    console.error(`bgpdns sorter query: ${(e as Error).message}`);
    return 1;
  } finally {
    c.close();
  }
}

export const command: Command = {
  summary: 'BGPDNS sorter: listen-only BGP, best path per client, authenticated UDP queries',
  usage,
  async run(argv) {
    if (argv[0] === 'query') return query(argv.slice(1));
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
