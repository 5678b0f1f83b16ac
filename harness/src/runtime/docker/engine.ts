/**
 * The one door to the Docker engine. dockerode is imported only under
 * harness/src/runtime/docker*; everything else talks to these small functions.
 * The API version is never pinned: Debian's docker.io speaks 1.41 and dockerode
 * then uses the engine's own default.
 */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';

export type Engine = Docker;

export class EngineUnreachableError extends Error {
  constructor(where: string, cause: unknown) {
    super(
      `no Docker engine answers at ${where} (${(cause as Error)?.message ?? cause}); ` +
        'install Debian docker.io and start dockerd (`./bgpdns-lab images engine-up` does both), or set DOCKER_HOST',
    );
    this.name = 'EngineUnreachableError';
  }
}

export function engineAddress(endpoint?: string): string {
  return endpoint ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

/**
 * dockerode options for a Docker endpoint written as DOCKER_HOST is:
 * unix:///path/docker.sock, tcp://host:port or ssh://user@host[:port]
 * (a lab's hosts each name one; a simulated host's is a unix socket).
 */
export function endpointOptions(endpoint: string): Docker.DockerOptions {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`Docker endpoint "${endpoint}" is not a URL; write unix:///path/docker.sock, tcp://host:port or ssh://user@host`);
  }
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'tcp:') return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
  if (url.protocol === 'ssh:') {
    return { host: url.hostname, port: Number(url.port || 22), protocol: 'ssh', ...(url.username ? { username: decodeURIComponent(url.username) } : {}) };
  }
  throw new Error(`Docker endpoint "${endpoint}": scheme ${url.protocol.replace(/:$/, '')} is not one dockerode speaks (unix, tcp, ssh)`);
}

const clients = new Map<string, Promise<Engine>>();

/**
 * A client for the engine at `endpoint` (default DOCKER_HOST, else
 * /var/run/docker.sock); does not contact it. One client per endpoint. dockerode
 * is loaded on first use (~0.3 s), so netns-only runs never pay for it.
 */
export function engine(endpoint?: string): Promise<Engine> {
  const key = endpoint ?? '';
  let client = clients.get(key);
  if (!client) {
    const opts = endpoint === undefined ? undefined : endpointOptions(endpoint);
    client = import('dockerode').then((m) => new m.default(opts));
    clients.set(key, client);
  }
  return client;
}

/** Ping the engine; throws EngineUnreachableError with one clear sentence when nobody answers. */
export async function requireEngine(timeoutMs = 3000, endpoint?: string): Promise<Engine> {
  const docker = await engine(endpoint);
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  } catch (err) {
    throw new EngineUnreachableError(engineAddress(endpoint), err);
  }
  return docker;
}

export async function engineAnswers(timeoutMs = 2000, endpoint?: string): Promise<boolean> {
  try {
    await requireEngine(timeoutMs, endpoint);
    return true;
  } catch {
    return false;
  }
}

/**
 * Copy images from one engine to another (`docker save A B … | docker -H … load`):
 * images are built offline on the harness's engine and never pulled, so a host's
 * engine gets them this way. One stream for all, so shared layers travel once.
 */
export async function copyImages(refs: string[], from: string | undefined, to: string, onLine: (line: string) => void = () => undefined): Promise<void> {
  // getImages (GET /images/get?names=…) is in dockerode but not in its type definitions.
  const source = (await engine(from)) as unknown as { getImages(opts: { names: string[] }): Promise<NodeJS.ReadableStream> };
  const tar = await source.getImages({ names: refs });
  const target = await engine(to);
  const stream = (await target.loadImage(tar as never, { quiet: true } as never)) as unknown as NodeJS.ReadableStream;
  await follow(stream, onLine, target);
}

/** Labels of an image on the engine (default: the harness's), or undefined when the image does not exist. */
export async function imageLabels(ref: string, endpoint?: string): Promise<Record<string, string> | undefined> {
  try {
    const info = await (await engine(endpoint)).getImage(ref).inspect();
    return info.Config?.Labels ?? {};
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

export async function tagImage(ref: string, repo: string, tag: string): Promise<void> {
  await (await engine()).getImage(ref).tag({ repo, tag });
}

export async function removeImage(ref: string): Promise<void> {
  try {
    await (await engine()).getImage(ref).remove({ force: true });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
}

/** Progress objects the engine streams while importing or building. */
interface EngineMessage {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** Follow an engine progress stream; rejects with the engine's own error text. */
async function follow(stream: NodeJS.ReadableStream, onLine: (line: string) => void, on?: Engine): Promise<EngineMessage[]> {
  const docker = on ?? (await engine());
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: EngineMessage[]) => {
        if (err) return reject(err);
        const failed = out.find((m) => m.error);
        if (failed) return reject(new Error(failed.errorDetail?.message ?? failed.error));
        resolve(out);
      },
      (m: EngineMessage) => {
        const text = (m.stream ?? m.status ?? '').replace(/\n+$/, '');
        if (text) for (const line of text.split('\n')) onLine(line);
      },
    );
  });
}

/** `docker import` a root filesystem tar stream as repo:tag with Dockerfile-style changes. */
export async function importRootfs(
  tar: Readable,
  repo: string,
  tag: string,
  changes: string[],
  onLine: (line: string) => void,
): Promise<void> {
  const stream = (await (await engine()).importImage(tar as unknown as string, { repo, tag, changes } as never)) as unknown as NodeJS.ReadableStream;
  await follow(stream, onLine);
}

export interface BuildSpec {
  /** Directory sent as the build context (it must hold the Dockerfile). */
  context: string;
  /** Files of the context, relative to it. */
  files: string[];
  tags: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
}

/**
 * Build with the host's network: the only network a build needs is the apt
 * mirror the host itself uses, and it works when the engine has no bridge.
 */
export async function buildImage(spec: BuildSpec, onLine: (line: string) => void): Promise<void> {
  const stream = (await (await engine()).buildImage(
    { context: spec.context, src: spec.files },
    {
      t: spec.tags,
      buildargs: spec.buildArgs,
      labels: spec.labels,
      networkmode: 'host',
      rm: true,
      forcerm: true,
    } as never,
  )) as unknown as NodeJS.ReadableStream;
  await follow(stream, onLine);
}

/** Remove images labelled as `image` whose inputs hash is not `keepHash` (older builds); in-use ones stay. */
export async function pruneOldBuilds(labelImage: string, image: string, labelInputs: string, keepHash: string): Promise<string[]> {
  const docker = await engine();
  const list = (await docker.listImages({ filters: JSON.stringify({ label: [`${labelImage}=${image}`] }) })) as Docker.ImageInfo[];
  const removed: string[] = [];
  for (const img of list) {
    if (img.Labels?.[labelInputs] === keepHash) continue;
    for (const tag of img.RepoTags ?? []) {
      try {
        await docker.getImage(tag).remove();
        removed.push(tag);
      } catch {
        // In use by a container, or already gone: keep it.
      }
    }
  }
  return removed;
}
