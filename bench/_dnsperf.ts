/**
 * dnsperf runs for `bench dns` (files starting with "_" are helpers, not benchmarks):
 * every target gets the same settings — 4 clients, 200 queries outstanding, UDP.
 * Throughput: as fast as the target answers. Latency: at a fixed rate (-Q), with every
 * answer's latency from -v, so p50/p99 are exact, not dnsperf's mean.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { round } from './_figures.js';
import { percentileOfSorted } from '@bgpdns-lab/harness';

export interface QueryInput {
  file: string;
  /** dnsperf -B: pre-built wire queries (each with its own ECS); else text lines plus `ecsHex` via -E. */
  binary: boolean;
  ecsHex?: string;
}

export interface Throughput {
  qps: number;
  sent: number;
  lost: number;
  meanLatencyMs: number;
}

export interface Latency {
  rate: number;
  answered: number;
  lost: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Starts a command with piped stdout and stderr somewhere else (e.g. in a target's network namespace). */
export type SpawnIn = (argv: string[]) => ChildProcess;

/** dnsperf with `args`, here or through `spawnIn`. */
function run(args: string[], spawnIn?: SpawnIn): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnIn ? spawnIn(['dnsperf', ...args]) : spawn('dnsperf', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (d) => chunks.push(d));
    child.stderr!.on('data', (d) => chunks.push(d));
    child.once('error', reject);
    // 'close', not 'exit': the output may still be arriving when the process has exited.
    child.once('close', (code) => {
      const out = Buffer.concat(chunks).toString();
      if (code === 0) resolve(out);
      else reject(new Error(`dnsperf ${args.join(' ')} exited ${code}: ${out.slice(-500)}`));
    });
  });
}

function baseArgs(host: string, port: number, input: QueryInput, seconds: number): string[] {
  const args = ['-s', host, '-p', String(port), '-d', input.file, '-l', String(seconds), '-c', '4', '-q', '200'];
  if (input.binary) args.push('-B');
  else if (input.ecsHex) args.push('-E', `8:${input.ecsHex}`);
  return args;
}

const num = (out: string, re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);

export async function throughput(host: string, port: number, input: QueryInput, seconds: number): Promise<Throughput> {
  const out = await run(baseArgs(host, port, input, seconds));
  const t = {
    qps: round(num(out, /Queries per second:\s+([\d.]+)/), 0),
    sent: num(out, /Queries sent:\s+(\d+)/),
    lost: num(out, /Queries lost:\s+(\d+)/),
    meanLatencyMs: round(num(out, /Average Latency \(s\):\s+([\d.]+)/) * 1000),
  };
  if (!(t.qps > 0)) throw new Error(`dnsperf against ${host}:${port} got no answers: ${out.slice(-300)}`);
  return t;
}

export async function latency(host: string, port: number, input: QueryInput, seconds: number, rate: number, spawnIn?: SpawnIn): Promise<Latency> {
  const out = await run([...baseArgs(host, port, input, seconds), '-Q', String(rate), '-v'], spawnIn);
  const lat: number[] = [];
  for (const line of out.split('\n')) {
    const m = /^> \S+ .* ([\d.]+)$/.exec(line);
    if (m) lat.push(Number(m[1]) * 1000);
  }
  if (lat.length === 0) throw new Error(`dnsperf at ${rate} q/s against ${host}:${port} got no answers: ${out.slice(-300)}`);
  lat.sort((a, b) => a - b);
  const pct = (p: number) => percentileOfSorted(lat, p);
  return { rate, answered: lat.length, lost: num(out, /Queries lost:\s+(\d+)/), p50Ms: round(pct(50)), p99Ms: round(pct(99)), maxMs: round(lat[lat.length - 1]) };
}

/**
 * A throughput run that also reports dnsperf's own CPU seconds: it runs under a shell
 * that reads its children's CPU (cutime + cstime, /proc/PID/stat fields 16-17) once
 * dnsperf has been waited for. Throws when that line is missing (never a zero).
 */
export async function throughputWithClientCpu(host: string, port: number, input: QueryInput, seconds: number): Promise<Throughput & { completed: number; clientCpuS: number }> {
  const script = 'dnsperf "$@" 2>&1; rc=$?; read -r stat < /proc/$$/stat; echo "CHILDSTAT ${stat##*) }"; exit $rc';
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('sh', ['-c', script, 'sh', ...baseArgs(host, port, input, seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`dnsperf against ${host}:${port} exited ${code}: ${Buffer.concat(chunks).toString().slice(-500)}`))));
  });
  // After "pid (comm) ": state is field 3; cutime 16 and cstime 17 (1-based) → indexes 13 and 14.
  const stat = /CHILDSTAT (.*)/.exec(out)?.[1].split(' ');
  if (!stat || stat.length < 15) throw new Error(`dnsperf's CPU time could not be read (no /proc stat line): ${out.slice(-300)}`);
  const clientCpuS = (Number(stat[13]) + Number(stat[14])) / 100;
  const t = {
    qps: round(num(out, /Queries per second:\s+([\d.]+)/), 0),
    sent: num(out, /Queries sent:\s+(\d+)/),
    completed: num(out, /Queries completed:\s+(\d+)/),
    lost: num(out, /Queries lost:\s+(\d+)/),
    meanLatencyMs: round(num(out, /Average Latency \(s\):\s+([\d.]+)/) * 1000),
  };
  if (!(t.completed > 0)) throw new Error(`dnsperf against ${host}:${port} got no answers: ${out.slice(-300)}`);
  return { ...t, clientCpuS };
}
