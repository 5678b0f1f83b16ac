/**
 * At most `n` tasks at a time. Creating a 100-node lab means several hundred `ip`
 * commands; running them all at once only queues them in the kernel while every
 * pending child process costs the harness memory, so they go through a limit.
 */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
