import { deployedLabs } from '../lab/destroy.js';

/** The lab a command means: the one named, or the only one deployed. */
export function pickLab(named: string | undefined): string {
  const labs = deployedLabs();
  if (named !== undefined) {
    if (!labs.includes(named)) {
      throw new Error(`no deployed lab "${named}" on this host; ${labs.length ? `deployed: ${labs.join(', ')}` : 'no lab is deployed'}`);
    }
    return named;
  }
  if (labs.length === 1) return labs[0];
  if (labs.length === 0) throw new Error('no lab is deployed on this host; deploy one: bgpdns-lab deploy <file.clab.yml>');
  throw new Error(`several labs are deployed (${labs.join(', ')}); name one`);
}
