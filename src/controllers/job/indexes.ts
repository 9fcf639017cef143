// Completion indexes of an Indexed Job (upstream's pkg/controller/job/indexed_job_utils.go): each
// pod carries its index in an annotation (and a label); the Job's status.completedIndexes lists
// the succeeded ones as ordered intervals, `1,3-5,7`.
import { JOB_COMPLETION_INDEX, type Job } from '../../api/batch.js';
import type { Pod } from '../../api/types.js';

/** The pod's completion index, or -1 (unknownCompletionIndex). */
export function completionIndexOf(pod: Pod): number {
  const v = pod.metadata.annotations?.[JOB_COMPLETION_INDEX];
  if (v === undefined || !/^\d+$/.test(v)) return -1;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : -1;
}

/** The indexes an interval string names, below `completions` (malformed parts are skipped). */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-');
    const lo = Number(a);
    const hi = b === undefined ? lo : Number(b);
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) continue;
    for (let i = lo; i <= hi && i < completions; i++) out.add(i);
  }
  return out;
}

/** The ordered-interval string of a set of indexes: `0-2,5`. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** calculateSucceededIndexes: those already in the status, and the newly succeeded pods'. */
export function succeededIndexes(job: Job, pods: Pod[], counted: (p: Pod) => boolean): { previous: Set<number>; all: Set<number> } {
  const completions = job.spec.completions ?? 0;
  const previous = parseIndexes(job.status?.completedIndexes, completions);
  const all = new Set(previous);
  for (const p of pods) {
    const ix = completionIndexOf(p);
    if (p.status?.phase === 'Succeeded' && ix >= 0 && ix < completions && !counted(p)) all.add(ix);
  }
  return { previous, all };
}

/** firstPendingIndexes: the lowest indexes neither succeeded nor being worked on by an active pod. */
export function firstPendingIndexes(completions: number, succeeded: Set<number>, active: Pod[], count: number): number[] {
  const busy = new Set(active.map(completionIndexOf));
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!succeeded.has(i) && !busy.has(i)) out.push(i);
  return out;
}
