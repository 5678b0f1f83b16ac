import test from 'ava';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VtyClient, VtyError } from './vty-client.js';

/**
 * A stand-in daemon speaking the vty socket protocol: answers each NUL-terminated
 * command through `answer`, records what it received and how many connections it saw.
 */
async function fakeDaemon(answer: (cmd: string) => { output: string; status: number } | 'hang' | 'close') {
  const dir = await mkdtemp(join(tmpdir(), 'h2vty-'));
  const path = join(dir, 'bgpd.vty');
  const received: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\0')) >= 0) {
        const cmd = buf.slice(0, i);
        buf = buf.slice(i + 1);
        received.push(cmd);
        const a = answer(cmd);
        if (a === 'hang') continue;
        if (a === 'close') {
          socket.destroy();
          return;
        }
        // Split the reply in two writes to exercise framing across chunks.
        const bytes = Buffer.concat([Buffer.from(a.output), Buffer.from([0, 0, 0, a.status])]);
        socket.write(bytes.subarray(0, bytes.length - 2));
        socket.write(bytes.subarray(bytes.length - 2));
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  return {
    path,
    received,
    get connections() {
      return connections;
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const echo = (cmd: string) => (cmd.startsWith('bogus') ? { output: `% Unknown command: ${cmd}\n`, status: 2 } : { output: `ran ${cmd}\n`, status: 0 });

test('sends enable once, then commands in order, on one connection', async (t) => {
  const d = await fakeDaemon(echo);
  t.teardown(() => d.stop());
  const c = new VtyClient(d.path);
  const outputs = await Promise.all(['a', 'b', 'c'].map((x) => c.command(x)));
  t.deepEqual(outputs, ['ran a\n', 'ran b\n', 'ran c\n']);
  t.deepEqual(d.received, ['enable', 'a', 'b', 'c']);
  t.is(d.connections, 1);
  await c.close();
});

test('a non-zero status rejects with the socket, command, status and what the daemon said', async (t) => {
  const d = await fakeDaemon(echo);
  t.teardown(() => d.stop());
  const c = new VtyClient(d.path);
  const err = await t.throwsAsync(c.command('bogus thing'), { instanceOf: VtyError });
  t.is(err?.message, `FRR vty ${d.path}: "bogus thing" failed: unknown command — % Unknown command: bogus thing`);
  t.is(err?.status, 2);
  // The connection stays usable after a failed command.
  t.is(await c.command('x'), 'ran x\n');
  t.is((await c.raw('bogus 2')).status, 2);
  await c.close();
});

test('json parses output and names the command when it is not JSON', async (t) => {
  const d = await fakeDaemon((cmd) => ({ output: cmd === 'good' ? '{"peers":{}}' : 'not json', status: 0 }));
  t.teardown(() => d.stop());
  const c = new VtyClient(d.path);
  t.deepEqual(await c.json('good'), { peers: {} });
  await t.throwsAsync(c.json('bad'), { message: /"bad" did not return JSON .*: not json/ });
  await c.close();
});

test('configure wraps lines in configure terminal … end, skips comments, stops at a rejected line', async (t) => {
  const d = await fakeDaemon(echo);
  t.teardown(() => d.stop());
  const c = new VtyClient(d.path);
  await c.configure(['router bgp 64500', '! a comment', '', ' neighbor 198.18.0.2 bfd']);
  t.deepEqual(d.received, ['enable', 'configure terminal', 'router bgp 64500', ' neighbor 198.18.0.2 bfd', 'end']);
  d.received.length = 0;
  await t.throwsAsync(c.configure(['router bgp 64500', 'bogus line', 'never sent']), {
    message: /"bogus line" failed: unknown command/,
  });
  t.deepEqual(d.received, ['configure terminal', 'router bgp 64500', 'bogus line', 'end']);
  await c.close();
});

test('configure is not interleaved with commands queued meanwhile', async (t) => {
  const d = await fakeDaemon(echo);
  t.teardown(() => d.stop());
  const c = new VtyClient(d.path);
  await Promise.all([c.configure(['l1', 'l2']), c.command('show x')]);
  t.deepEqual(d.received, ['enable', 'configure terminal', 'l1', 'l2', 'end', 'show x']);
  await c.close();
});

test('reconnects (and re-enables) after the daemon dropped the connection', async (t) => {
  const d = await fakeDaemon(echo);
  t.teardown(() => d.stop());
  const c = new VtyClient(d.path);
  await c.command('a');
  d.dropConnections();
  // No pause: whether or not the client has seen the close yet, a command sent on the
  // stale connection is sent once more on a new one.
  t.is(await c.command('b'), 'ran b\n');
  t.is(d.connections, 2);
  t.deepEqual(d.received.filter((x) => x !== 'b'), ['enable', 'a', 'enable']);
  t.is(d.received.at(-1), 'b');
  await c.close();
});

test('a connection closed mid-command rejects that command, naming it', async (t) => {
  const d = await fakeDaemon((cmd) => (cmd === 'crash' ? 'close' : echo(cmd)));
  t.teardown(() => d.stop());
  const c = new VtyClient(d.path);
  await t.throwsAsync(c.command('crash'), { message: `FRR vty ${d.path}: "crash" got no reply: connection closed by the daemon` });
  t.is(await c.command('after'), 'ran after\n');
  await c.close();
});

test('no daemon: the error names the socket, the command and the cause', async (t) => {
  const c = new VtyClient('/nonexistent/h2/bgpd.vty');
  await t.throwsAsync(c.command('show bgp summary json'), {
    message: 'FRR vty /nonexistent/h2/bgpd.vty: cannot send "show bgp summary json": cannot connect: ENOENT (is the daemon running?)',
  });
});

test('a frozen daemon times the command out and the next command reconnects', async (t) => {
  let frozen = true;
  const d = await fakeDaemon((cmd) => (cmd === 'slow' && frozen ? 'hang' : echo(cmd)));
  t.teardown(() => d.stop());
  const c = new VtyClient(d.path, { commandTimeoutMs: 100 });
  await t.throwsAsync(c.command('slow'), { message: /"slow" within 100 ms \(daemon stopped or frozen\?\)/ });
  frozen = false;
  t.is(await c.command('slow'), 'ran slow\n');
  t.is(d.connections, 2);
  await c.close();
});

test('a closed client refuses new commands', async (t) => {
  const d = await fakeDaemon(echo);
  t.teardown(() => d.stop());
  const c = new VtyClient(d.path);
  await c.command('a');
  await c.close();
  await t.throwsAsync(c.command('b'), { message: /is closed/ });
});
