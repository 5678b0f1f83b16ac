import { newVtyClient } from '../frr/frr-control.js';

/**
 * Does an FRR daemon's vty socket answer a command? `true`, or why not (for the
 * error shown when a node never becomes ready). One short-lived connection per call.
 */
export async function vtyAnswers(socketPath: string): Promise<true | string> {
  const client = newVtyClient(socketPath, { connectTimeoutMs: 500, commandTimeoutMs: 2000 });
  try {
    await client.command('show version');
    return true;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await client.close().catch(() => undefined);
  }
}
