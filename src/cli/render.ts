import type { components } from '../client/api-client.js';

// What the CLI prints of the API's answers: pure functions from the generated types to lines.

type Schemas = components['schemas'];
export type Plan = Schemas['Plan'];
export type PolicyStatus = Schemas['PolicyStatus'];
export type Deployment = Schemas['Deployment'];
type ClusterDiff = Schemas['ClusterDiff'];

const MARK: Record<string, string> = {
  create: '+',
  update: '~',
  delete: '-',
  conflict: '!',
  error: '!',
  unchanged: '=',
};

/** True when a cluster of the plan would change, conflict, refuse, or could not be diffed. */
function clusterDiffers(c: ClusterDiff): boolean {
  return c.error !== null || c.resources.some((r) => r.action !== 'unchanged');
}

/** Whether applying the planned document would change anything (diff's exit code). */
export function hasDifferences(plan: Plan): boolean {
  return plan.clusters.some(clusterDiffers);
}

function summaryOf(c: ClusterDiff): string {
  const s = c.summary;
  return `${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.unchanged} unchanged${s.conflict ? `, ${s.conflict} conflicts` : ''}${s.error ? `, ${s.error} refused` : ''}`;
}

/** `plan`: per cluster a summary and a line per object that would change. */
export function planLines(plan: Plan): string[] {
  const lines = [
    `policy ${plan.policy}: ${plan.unchanged ? `unchanged (revision ${plan.revision})` : `revision ${plan.revision}${plan.exists ? ` after ${plan.baseRevision}` : ' (new policy)'}`}`,
  ];
  for (const w of plan.warnings) lines.push(`warning: ${w.path ? `${w.path}: ` : ''}${w.message}`);
  for (const c of plan.clusters) {
    if (c.error) {
      lines.push(`cluster ${c.cluster} (${c.action}): cannot be diffed: ${c.error.message}`);
      continue;
    }
    lines.push(`cluster ${c.cluster} (${c.action}): ${summaryOf(c)}`);
    for (const w of c.warnings) lines.push(`  warning: ${w.message}`);
    for (const r of c.resources) {
      if (r.action === 'unchanged') continue;
      const why = r.owner ?? r.error?.message;
      lines.push(`  ${MARK[r.action] ?? '?'} ${r.namespace}/${r.name}${why ? ` (${why})` : ''}`);
    }
  }
  const { gained, lost } = plan.connectivity;
  lines.push(`connectivity: ${gained.length} gained, ${lost.length} lost`);
  for (const d of gained)
    lines.push(`  + ${d.namespace}: ${d.source} -> ${d.destination} ${d.ports}`);
  for (const d of lost)
    lines.push(`  - ${d.namespace}: ${d.source} -> ${d.destination} ${d.ports}`);
  return lines;
}

/** `diff`: the unified diff of every object that would change, per cluster. */
export function diffText(plan: Plan): string {
  let out = '';
  for (const c of plan.clusters) {
    if (c.error) {
      out += `# cluster ${c.cluster}: cannot be diffed: ${c.error.message}\n`;
      continue;
    }
    for (const r of c.resources) {
      if (r.action === 'unchanged') continue;
      out += `# cluster ${c.cluster}: ${r.action} ${r.namespace}/${r.name}${r.owner ? ` (${r.owner})` : ''}${r.error ? `: ${r.error.message}` : ''}\n`;
      if (r.unified) out += r.unified.endsWith('\n') ? r.unified : `${r.unified}\n`;
    }
  }
  return out;
}

/** How many objects an operation left with each outcome: `3 created, 1 unchanged`. */
function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([action, n]) => `${n} ${action}`)
    .join(', ');
}

/** `status`: a line per cluster. */
export function statusLines(status: PolicyStatus): string[] {
  const lines = [
    `policy ${status.policy}: revision ${status.latestRevision}${status.deleting ? ' (being deleted)' : ''}`,
  ];
  for (const c of status.clusters) {
    const op = c.operation;
    lines.push(
      [
        `  ${c.cluster}:`,
        c.sync.status + (c.sync.reason ? ` (${c.sync.reason})` : ''),
        op ? `${op.phase}${op.error ? `: ${op.error}` : ''}` : 'no rollout',
        `applied revision ${c.appliedRevision ?? 'none'}`,
        ...(Object.keys(c.counts).length > 0 ? [`- ${countsText(c.counts)}`] : []),
      ].join(' '),
    );
  }
  return lines;
}

/** The phases that settle a cluster's part of a deployment. */
export const FINAL_PHASES: readonly string[] = ['Succeeded', 'Failed', 'Superseded'];

/** `apply`: the lines for clusters whose phase changed since `seen` (which is updated). */
export function phaseLines(deployment: Deployment, seen: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const c of deployment.clusters) {
    const key = `${c.phase}/${c.attempt}`;
    if (seen.get(c.cluster) === key) continue;
    seen.set(c.cluster, key);
    const objects = countsText(c.counts);
    lines.push(
      `${c.cluster}: ${c.phase}${c.attempt > 1 ? ` (attempt ${c.attempt})` : ''}${objects ? ` - ${objects}` : ''}${c.error ? ` - ${c.error}` : ''}`,
    );
  }
  return lines;
}
