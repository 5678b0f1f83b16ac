// docs/writing-scenarios.md quotes the example files whole: keep them from drifting apart.
import test from 'ava';
import { readFile } from 'node:fs/promises';

const here = (f: string) => new URL(f, import.meta.url);

test('the guide quotes every example file verbatim', async (t) => {
  const guide = await readFile(here('../../writing-scenarios.md'), 'utf8');
  for (const file of ['two-upstreams.clab.yml', 'edge.frr.conf', 'failover.scenario.ts', 'failover.test.ts']) {
    const text = (await readFile(here(file), 'utf8')).trimEnd();
    t.true(guide.includes(text), `docs/writing-scenarios.md no longer quotes docs/examples/two-upstreams/${file} as it is`);
  }
});
