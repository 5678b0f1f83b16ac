import test from 'ava';
import { useFaultLab } from '../../testing/fault-lab.js';
import { FAULTS, isFaultModule } from './registry.js';

// The facade over the registry: by name, every fault at once, revertAll. Each fault's
// own behaviour is tested in catalog/<fault>.test.ts next to its module.
const fx = useFaultLab(test, 'fa');

test.serial('revertAll undoes what is still in place, newest first, and leaves nothing', async (t) => {
  const a = await fx().faults.linkDown('r2:eth1');
  const b = await fx().faults.silentDrop('r1:eth1');
  const c = await fx().faults.apply('drop', 'r1:eth1', { direction: 'in' }, { entry: 3 });
  t.like(c.injected, { fault: 'silent-drop', args: { direction: 'in', entry: 3 } });
  const d = await fx().faults.drain('r1');
  await fx().faults.revertAll();
  t.true(a.reverted && b.reverted && c.reverted && d.reverted);
  t.deepEqual(fx().recorded.filter((e) => e.action === 'revert').map((e) => e.fault), ['drain', 'silent-drop', 'silent-drop', 'link-down']);
  t.deepEqual(await fx().leftFaults(), []);
  await fx().faults.revertAll(); // nothing left: a no-op
});

test.serial('an unknown fault is named with the list of known ones', async (t) => {
  await t.throwsAsync(fx().faults.apply('teleport', 'r1'), { message: /^unknown fault "teleport"; one of .*link-down, .*silent-drop \(drop\), .*drain/ });
});

test('every module of catalog/ is a fault of the registry with its own test file; names and aliases are unique; arguments it does not take are refused', async (t) => {
  const words = FAULTS.flatMap((f) => [f.name, ...(f.aliases ?? [])]);
  t.is(new Set(words).size, words.length, words.join(', '));
  const { readdir } = await import('node:fs/promises');
  const catalog = await readdir(new URL('./catalog/', import.meta.url));
  const modules = catalog.filter(isFaultModule);
  t.is(modules.length, FAULTS.length, `catalog/ has ${modules.join(', ')}; the registry ${words.join(', ')}`);
  for (const m of modules) t.true(catalog.includes(m.replace(/\.ts$/, '.test.ts')), `catalog/${m}: no ${m.replace(/\.ts$/, '.test.ts')} beside it`);
  for (const f of FAULTS) {
    t.throws(() => f.parse({ nonsense: 1 }), { message: /^nonsense: .* takes no argument "nonsense"/ }, f.name);
    for (const p of f.params) t.truthy(p.help, `${f.name}.${p.name}: no help`);
  }
});
