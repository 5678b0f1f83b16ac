import { NODE_PHASES, type DeployEvent, type NodePhase } from '../lab/progress.js';

/**
 * Live deploy progress on stderr: on a terminal one line redrawn in place
 * ("prepare 3/3 · create 3/3 · wire 1/3 …"), otherwise one line per phase as the
 * last node finishes it. Warnings and failures are printed as they come.
 */
export class ProgressView {
  private done = new Map<NodePhase, number>(NODE_PHASES.map((p) => [p, 0]));
  private finishedAt = new Map<NodePhase, number>();
  private readonly tty: boolean;
  private lastDraw = 0;
  private readonly t0: number;

  constructor(
    private readonly labName: string,
    private readonly nodes: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = !!out.isTTY && !process.env.CI;
    this.t0 = performance.now();
  }

  private seconds(): string {
    return `${((performance.now() - this.t0) / 1000).toFixed(2)} s`;
  }

  private line(): string {
    const parts = NODE_PHASES.map((p) => `${p} ${this.done.get(p)}/${this.nodes}`);
    return `deploying ${this.labName}: ${parts.join(' · ')} · ${this.seconds()}`;
  }

  private print(text: string): void {
    if (this.tty) this.out.write(`\r\x1b[K${text}\n`);
    else this.out.write(`${text}\n`);
    if (this.tty) this.draw(true);
  }

  private draw(force = false): void {
    if (!this.tty) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 50) return;
    this.lastDraw = now;
    this.out.write(`\r\x1b[K${this.line()}`);
  }

  /** While waiting for convergence: "converging: 20/26 BGP sessions Established" (terminal only). */
  sessions = (established: number, seen: number): void => {
    if (!this.tty) return;
    this.out.write(`\r\x1b[Kconverging ${this.labName}: ${established}/${seen} BGP sessions Established · ${this.seconds()}`);
    if (established === seen) this.out.write('\r\x1b[K');
  };

  on = (e: DeployEvent): void => {
    switch (e.type) {
      case 'phase':
        if (e.state !== 'done') break;
        this.done.set(e.phase, (this.done.get(e.phase) ?? 0) + 1);
        if (this.done.get(e.phase) === this.nodes && !this.finishedAt.has(e.phase)) {
          this.finishedAt.set(e.phase, performance.now());
          if (!this.tty) this.out.write(`  ${e.phase.padEnd(8)} ${this.nodes}/${this.nodes} nodes  ${this.seconds()}\n`);
        }
        this.draw();
        break;
      case 'phase-failed':
        this.print(`  FAILED ${e.node} ${e.phase}: ${e.error}`);
        break;
      case 'warning':
        this.print(`  warning: ${e.message}`);
        break;
      case 'lab':
        if (e.state === 'ready' || e.state === 'failed') {
          if (this.tty) this.out.write(`\r\x1b[K${this.line()}\n`);
        }
        if (e.state === 'failed') this.out.write(`  deploy failed; destroying what was created\n`);
        break;
      case 'link':
        break;
    }
  };
}
