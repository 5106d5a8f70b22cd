import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The exit codes of `gbp-netpol` (README, CLI). */
export const EXIT = {
  /** Done; for `diff`, no difference. */
  OK: 0,
  /** `diff --exit-code`: applying the file would change something. */
  DIFFERENCES: 1,
  /** Bad arguments or an unreadable file. */
  USAGE: 2,
  /** The document or the request was refused (problems printed as `path: message`), or the service could not be reached. */
  REFUSED: 3,
  /** `apply` or `status --watch`: a cluster's rollout failed. */
  FAILED: 4,
} as const;

export const USAGE = `gbp-netpol: compile and roll out group-based network policy documents

Usage:
  gbp-netpol compile FILE [-o yaml|json] [--cluster NAME]
  gbp-netpol plan FILE --name POLICY [TARGETS] [-o text|json]
  gbp-netpol diff FILE --name POLICY [TARGETS] [--exit-code]
  gbp-netpol apply FILE --name POLICY [TARGETS] [--self-heal] [--no-wait]
  gbp-netpol status POLICY [--watch]
  gbp-netpol clusters add NAME --kubeconfig FILE [--context NAME] [--label KEY=VALUE ...]
  gbp-netpol clusters list

FILE is a policy document in JSON or YAML ("-" reads standard input).

compile   works offline, without a service: the core compiler, rendered by the code that renders
          POST /v1/compile. YAML (the default) is multi-document for kubectl, led by
          "# Warning:" comments; warnings also go to stderr. With --cluster it asks the service
          instead, for the objects as that cluster gets them.
plan      what "apply" would do in every target cluster (server-side dry runs; nothing changes).
diff      what applying FILE would change on the clusters: the plan's creates, updates, deletes
          and conflicts per object, with unified diffs. It compares the clusters' live objects
          with the file's objects, not two revisions. --exit-code: exit 1 when there is a
          difference (kubectl's convention: 0 none, 1 differences, >1 an error).
apply     stores the document as a new revision and follows its rollout, a line per cluster and
          phase change, until every cluster is done (--no-wait: print the deployment and exit).
status    per cluster: sync state, phase and applied revision; --watch follows until no rollout
          runs.
clusters  register a cluster from a kubeconfig (only the chosen context is sent and kept), list.

TARGETS (plan, diff, apply): --cluster NAME (repeatable) and/or --selector KEY=VALUE
(repeatable, a cluster label selector); plan and diff default to the policy's current targets.

Service: --url URL (or GBP_NETPOL_URL, default http://localhost:8080) and --token TOKEN (or
GBP_NETPOL_TOKEN); the token is sent as a bearer token and never printed.

Exit codes: 0 done (diff: no difference); 1 diff --exit-code found differences; 2 bad
arguments or unreadable file; 3 refused (problems printed as "path: message") or service
unreachable; 4 a cluster's rollout failed (apply, status --watch).
`;

export class UsageError extends Error {}

export type OutputFormat = 'yaml' | 'json' | 'text';

export interface Targets {
  clusters?: string[];
  clusterSelector?: { matchLabels: Record<string, string> };
}

export type Command =
  | { kind: 'help' }
  | { kind: 'compile'; file: string; output: 'yaml' | 'json'; cluster?: string }
  | { kind: 'plan'; file: string; name: string; targets?: Targets; output: 'text' | 'json' }
  | { kind: 'diff'; file: string; name: string; targets?: Targets; exitCode: boolean }
  | {
      kind: 'apply';
      file: string;
      name: string;
      targets?: Targets;
      selfHeal?: boolean;
      wait: boolean;
    }
  | { kind: 'status'; name: string; watch: boolean }
  | {
      kind: 'clusters-add';
      name: string;
      kubeconfig: string;
      context?: string;
      labels: Record<string, string>;
    }
  | { kind: 'clusters-list' };

export interface Connection {
  url: string;
  token?: string;
}

const COMMON = {
  url: { type: 'string' },
  token: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const TARGETS = {
  name: { type: 'string' },
  cluster: { type: 'string', multiple: true },
  selector: { type: 'string', multiple: true },
} as const satisfies ParseArgsConfig['options'];

function keyValues(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${flag} takes KEY=VALUE, got "${item}"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function targetsOf(values: { cluster?: string[]; selector?: string[] }): Targets | undefined {
  const labels = keyValues(values.selector, 'selector');
  const targets: Targets = {};
  if (values.cluster?.length) targets.clusters = values.cluster;
  if (Object.keys(labels).length > 0) targets.clusterSelector = { matchLabels: labels };
  return Object.keys(targets).length > 0 ? targets : undefined;
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? `missing ${what}` : `unexpected "${positionals[1]}"`,
    );
  return positionals[0];
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`--${flag} is required`);
  return value;
}

function choice<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`-o must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function parse<O extends ParseArgsConfig['options']>(args: string[], options: O) {
  try {
    return parseArgs({
      args,
      options: { ...COMMON, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The command and the service connection an argument list asks for (UsageError when it is wrong). */
export function parseCommand(
  argv: string[],
  env: Record<string, string | undefined>,
): { command: Command; connection: Connection } {
  // `--help` anywhere asks for the usage, whatever else is (still) missing.
  const [verb, ...rest] = argv.some((a) => a === '--help' || a === '-h') ? ['help'] : argv;
  let command: Command;
  let values: { url?: string; token?: string };
  switch (verb) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      command = { kind: 'help' };
      values = {};
      break;
    case 'compile': {
      const p = parse(rest, {
        output: { type: 'string', short: 'o' },
        cluster: { type: 'string' },
      });
      values = p.values;
      command = {
        kind: 'compile',
        file: one(p.positionals, 'FILE'),
        output: choice(p.values.output, ['yaml', 'json'], 'yaml'),
        ...(p.values.cluster ? { cluster: p.values.cluster } : {}),
      };
      break;
    }
    case 'plan':
    case 'diff':
    case 'apply': {
      const p = parse(rest, {
        ...TARGETS,
        output: { type: 'string', short: 'o' },
        'exit-code': { type: 'boolean' },
        'self-heal': { type: 'boolean' },
        'no-wait': { type: 'boolean' },
      });
      values = p.values;
      const file = one(p.positionals, 'FILE');
      const name = required(p.values.name, 'name');
      const targets = targetsOf(p.values);
      const misplaced = (flag: string, allowedFor: string) => {
        if (p.values[flag as keyof typeof p.values] !== undefined && verb !== allowedFor)
          throw new UsageError(`--${flag} is for "${allowedFor}" only`);
      };
      misplaced('exit-code', 'diff');
      misplaced('self-heal', 'apply');
      misplaced('no-wait', 'apply');
      if (verb === 'plan')
        command = {
          kind: 'plan',
          file,
          name,
          targets,
          output: choice(p.values.output, ['text', 'json'], 'text'),
        };
      else if (p.values.output !== undefined) throw new UsageError(`-o is for "plan" only`);
      else if (verb === 'diff')
        command = { kind: 'diff', file, name, targets, exitCode: p.values['exit-code'] === true };
      else {
        if (!targets) throw new UsageError('apply needs --cluster or --selector');
        command = {
          kind: 'apply',
          file,
          name,
          targets,
          wait: p.values['no-wait'] !== true,
          ...(p.values['self-heal'] ? { selfHeal: true } : {}),
        };
      }
      break;
    }
    case 'status': {
      const p = parse(rest, { watch: { type: 'boolean', short: 'w' } });
      values = p.values;
      command = {
        kind: 'status',
        name: one(p.positionals, 'POLICY'),
        watch: p.values.watch === true,
      };
      break;
    }
    case 'clusters': {
      const [sub, ...more] = rest;
      if (sub === 'add') {
        const p = parse(more, {
          kubeconfig: { type: 'string' },
          context: { type: 'string' },
          label: { type: 'string', multiple: true },
        });
        values = p.values;
        command = {
          kind: 'clusters-add',
          name: one(p.positionals, 'NAME'),
          kubeconfig: required(p.values.kubeconfig, 'kubeconfig'),
          labels: keyValues(p.values.label, 'label'),
          ...(p.values.context ? { context: p.values.context } : {}),
        };
      } else if (sub === 'list') {
        const p = parse(more, {});
        values = p.values;
        if (p.positionals.length > 0) throw new UsageError(`unexpected "${p.positionals[0]}"`);
        command = { kind: 'clusters-list' };
      } else throw new UsageError(`clusters takes "add" or "list"${sub ? `, not "${sub}"` : ''}`);
      break;
    }
    default:
      throw new UsageError(`unknown command "${verb}"`);
  }
  const token = values.token ?? env.GBP_NETPOL_TOKEN;
  return {
    command,
    connection: {
      url: values.url ?? env.GBP_NETPOL_URL ?? 'http://localhost:8080',
      ...(token ? { token } : {}),
    },
  };
}
