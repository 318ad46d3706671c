/**
 * What a task holds besides keyed state and must survive a move to another worker: each
 * operator's timers (window ends, mitigation expiries) and the watermarks. Written as one cell of
 * the task's state at every checkpoint, so it is in the same atomic write as the state and the
 * offset; re-registered on restore, so a restored task fires the same timers at the same places.
 */
import type { TaskState } from '../../state/backend';
import type { Task } from '../runtime/task';

/** State name of the cell; operators' states are all `<operator>/...`, so it cannot collide. */
export const RUNTIME_STATE = '__runtime';
const CELL = 'timers';

type TimerTriple = [key: string, timeUs: number, tag: string];

interface RuntimeCell {
  /** Task's max event time (µs); null for -Infinity. */
  maxEventTimeUs: number | null;
  ops: Array<{ wm: number | null; event: TimerTriple[]; processing: TimerTriple[] }>;
}

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Writes the task's timers and watermarks into its state (marks the cell dirty). */
export function saveTaskRuntime(task: Task): void {
  const cell: RuntimeCell = {
    maxEventTimeUs: fin(task.maxEventTimeUs),
    ops: task.timers.map((t) => ({
      wm: fin(t.watermarkUs),
      event: t.event.entries().map((e): TimerTriple => [e.key, e.timeUs, e.tag]),
      processing: t.processing.entries().map((e): TimerTriple => [e.key, e.timeUs, e.tag]),
    })),
  };
  task.state.table<RuntimeCell>(RUNTIME_STATE).set(CELL, cell);
}

/** Re-registers the timers and watermarks a checkpoint held; returns how many timers. */
export function restoreTaskRuntime(task: Task, state: TaskState = task.state): number {
  const cell = state.table<RuntimeCell>(RUNTIME_STATE).get(CELL);
  if (cell === undefined) return 0;
  if (cell.maxEventTimeUs !== null) task.maxEventTimeUs = cell.maxEventTimeUs;
  let n = 0;
  const ops = Math.min(cell.ops.length, task.timers.length);
  for (let i = 0; i < ops; i++) {
    const t = task.timers[i];
    const c = cell.ops[i];
    if (c.wm !== null) t.watermarkUs = c.wm;
    for (const [key, timeUs, tag] of c.event) t.event.register(key, timeUs, tag);
    for (const [key, timeUs, tag] of c.processing) t.processing.register(key, timeUs, tag);
    n += c.event.length + c.processing.length;
  }
  return n;
}
