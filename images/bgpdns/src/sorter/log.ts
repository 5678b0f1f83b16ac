/** Structured logs: one JSON object per line on stderr, with wall time and the monotonic clock. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function jsonLogger(component: string, minLevel: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  return {
    log(level, msg, fields = {}) {
      if (order[level] < order[minLevel]) return;
      const mono = Number(process.hrtime.bigint()) / 1e6;
      write(`${JSON.stringify({ ts: new Date().toISOString(), mono: Math.round(mono * 1000) / 1000, level, component, msg, ...fields })}\n`);
    },
  };
}
