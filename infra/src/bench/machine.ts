import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';

/** What the figures were measured on; printed with every run and copied into BENCHMARKS.md. */
export interface Machine {
  cores: number;
  cpuModel: string;
  ramGiB: number;
  node: string;
  kernel: string;
  date: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage: number;
}

export function describeMachine(): Machine {
  let cpuModel = 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: the model stays unknown rather than guessed
  }
  return {
    cores: availableParallelism(),
    cpuModel,
    ramGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: release(),
    date: new Date().toISOString(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function machineLine(m: Machine): string {
  return `machine: nproc=${m.cores} cpu="${m.cpuModel}" ram=${m.ramGiB} GiB node=${m.node} kernel=${m.kernel} date=${m.date} load1=${m.loadAverage}`;
}
