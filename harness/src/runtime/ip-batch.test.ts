import test from 'ava';
import { tmpdir } from 'node:os';
import { IpBatcher } from './ip-batch.js';

// Read-only ip commands on the host's loopback: nothing is created.
for (const [how, fileDir] of [['stdin', undefined], ['a batch file', tmpdir()]] as const) {
  test(`requests made together share a batch; each failure goes to the request that sent it (${how})`, async (t) => {
    const ip = new IpBatcher(fileDir, 1);
    const results = await Promise.allSettled([
      ip.run([['link', 'show', 'dev', 'lo']], 'show lo'),
      ip.run([['link', 'show', 'dev', 'lo'], ['link', 'show', 'dev', 'h1nosuchdev']], 'show a missing device'),
      ip.run([['addr', 'show', 'dev', 'lo']], 'show lo addresses'),
      ip.run([['link', 'show', 'dev', 'h1nosuchdev2']], 'show another missing device'),
    ]);
    t.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    t.regex((results[1] as PromiseRejectedResult).reason.message, /^cannot show a missing device: Device "h1nosuchdev" does not exist\.$/);
    t.regex((results[3] as PromiseRejectedResult).reason.message, /^cannot show another missing device: Device "h1nosuchdev2" does not exist\.$/);
  });
}

test('a token that could split a batch line is refused before ip runs', async (t) => {
  const ip = new IpBatcher();
  await t.throwsAsync(ip.run([['link', 'show', 'dev', 'lo\nnetns del x']], 'show lo'), { message: 'cannot show lo: "lo\nnetns del x" is not a plain name' });
  await t.throwsAsync(ip.run([['link', 'show', 'dev', 'l o']], 'show lo'), { message: 'cannot show lo: "l o" is not a plain name' });
});
