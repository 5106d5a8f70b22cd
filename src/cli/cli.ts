import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiProblemError,
  createApiClient,
  ok,
  problemLines,
  type ApiClient,
  type components,
} from '../client/api-client.js';
import { warningTexts } from '../common/warnings.js';
import { yamlAnswer } from '../common/yaml-answer.js';
import { parseYamlBody } from '../core/document/yaml-body.js';
import { COMPUTE_TASKS } from '../infra/compute/compute-tasks.js';
import {
  EXIT,
  parseCommand,
  USAGE,
  UsageError,
  type Command,
  type Connection,
  type Targets,
} from './args.js';
import {
  diffText,
  FINAL_PHASES,
  hasDifferences,
  phaseLines,
  planLines,
  statusLines,
} from './render.js';

/** What the CLI touches of the world, so that tests can give it another. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** A file's bytes; `-` is standard input. */
  read(path: string): Promise<Buffer>;
  fetch?: typeof globalThis.fetch;
  /** Between two polls of a rollout. */
  pause(): Promise<void>;
}

type PolicyDocument = components['schemas']['PolicyDocument'];

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The process's own world: its streams, environment and files. */
export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    read: (path) => (path === '-' ? readStdin() : readFile(path)),
    pause: () => sleep(500),
  };
}

/** A refusal to report: its lines (`path: message`) and the exit code. */
class Refusal extends Error {
  constructor(
    readonly lines: string[],
    readonly code: number = EXIT.REFUSED,
  ) {
    super(lines.join('\n'));
  }
}

const isYamlFile = (file: string, text: string): boolean =>
  /\.ya?ml$/i.test(file) || (!/\.json$/i.test(file) && !/^\s*[[{]/.test(text));

async function readBytes(io: CliIo, file: string): Promise<Buffer> {
  try {
    return await io.read(file);
  } catch (error) {
    throw new Refusal(
      [`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`],
      EXIT.USAGE,
    );
  }
}

/**
 * A JSON or YAML file as the JSON value it stands for, read as the service reads a body
 * (YAML 1.2 core schema, one document; JSON is YAML): duplicate keys, aliases and deep
 * nesting are refused with their paths.
 */
async function readDocument(io: CliIo, file: string): Promise<PolicyDocument> {
  const parsed = parseYamlBody((await readBytes(io, file)).toString('utf8'));
  if (!parsed.ok) throw new Refusal(problemLines({ detail: '', errors: parsed.problems }));
  return parsed.value as PolicyDocument;
}

const warningLines = (body: unknown): string =>
  warningTexts(body)
    .map((w) => `Warning: ${w}\n`)
    .join('');

/**
 * `compile` without a service: the compute task that renders POST /v1/compile's answer (the
 * core compiler within the default limits), given the file's bytes as the JSON route gets
 * them, or the value of a YAML file as the YAML route does; YAML is rendered by the code of
 * the YAML answers (yamlAnswer).
 */
async function compileOffline(io: CliIo, file: string, output: 'yaml' | 'json'): Promise<number> {
  const bytes = await readBytes(io, file);
  const text = bytes.toString('utf8');
  let value: unknown;
  if (isYamlFile(file, text)) {
    const parsed = parseYamlBody(text);
    if (!parsed.ok) throw new Refusal(problemLines({ detail: '', errors: parsed.problems }));
    value = parsed.value;
  }
  const rendered = COMPUTE_TASKS.renderDocumentBody({
    body: value === undefined ? new Uint8Array(bytes) : null,
    value,
    view: 'objects',
    as: output === 'json' ? 'json' : 'data',
    options: {},
    maxCells: 0,
  });
  if (!rendered.ok) throw new Refusal(problemLines({ detail: '', errors: rendered.errors }));
  if ('json' in rendered) {
    io.stderr(warningLines({ warnings: rendered.warnings }));
    io.stdout(`${rendered.json}\n`);
  } else {
    const answer = rendered.answer as { items: unknown[]; warnings: unknown[] };
    io.stderr(warningLines(answer));
    io.stdout(yamlAnswer(answer));
  }
  return EXIT.OK;
}

/** `compile --cluster`: the service compiles, as that cluster gets the objects. */
async function compileOnService(
  io: CliIo,
  api: ApiClient,
  command: Extract<Command, { kind: 'compile' }>,
): Promise<number> {
  const { data, response } = await api.POST('/v1/compile', {
    params: { query: { cluster: command.cluster } },
    body: await readDocument(io, command.file),
    headers: { accept: command.output === 'yaml' ? 'application/yaml' : 'application/json' },
    parseAs: 'text',
  });
  for (const value of response.headers.get('warning')?.split(/,(?=\s*299 )/) ?? [])
    io.stderr(`Warning: ${value.replace(/^\s*299 - "|"$/g, '')}\n`);
  const body = String(data);
  io.stdout(command.output === 'json' ? `${body}\n` : body);
  return EXIT.OK;
}

function planBody(document: PolicyDocument, targets: Targets | undefined) {
  return { document, ...(targets ? { targets } : {}) };
}

async function plan(io: CliIo, api: ApiClient, file: string, name: string, targets?: Targets) {
  return ok(
    api.POST('/v1/policies/{name}/plan', {
      params: { path: { name } },
      body: planBody(await readDocument(io, file), targets),
    }),
  );
}

async function apply(
  io: CliIo,
  api: ApiClient,
  command: Extract<Command, { kind: 'apply' }>,
): Promise<number> {
  const document = await readDocument(io, command.file);
  const stored = await ok(
    api.POST('/v1/policies', {
      body: {
        name: command.name,
        targets: command.targets ?? {},
        document,
        ...(command.selfHeal ? { selfHeal: true } : {}),
      },
    }),
  );
  io.stderr(warningLines(stored));
  if (!('clusters' in stored)) {
    io.stdout(
      `policy ${command.name}: unchanged (revision ${stored.revision}), nothing to roll out\n`,
    );
    return EXIT.OK;
  }
  io.stdout(
    `policy ${command.name}: revision ${stored.revision} stored; deployment ${stored.deploymentId} to ${stored.clusters.map((c) => `${c.cluster} (${c.action})`).join(', ') || 'no cluster'}\n`,
  );
  if (!command.wait) return EXIT.OK;
  const seen = new Map<string, string>();
  const id = { id: stored.deploymentId };
  for (;;) {
    const deployment = await ok(api.GET('/v1/deployments/{id}', { params: { path: id } }));
    for (const line of phaseLines(deployment, seen)) io.stdout(`${line}\n`);
    const done = deployment.clusters.every((c) => FINAL_PHASES.includes(c.phase));
    if (deployment.finishedAt || done) {
      const failed = deployment.clusters.filter((c) => c.phase === 'Failed').map((c) => c.cluster);
      const status = await ok(
        api.GET('/v1/policies/{name}/status', { params: { path: { name: command.name } } }),
      );
      for (const line of statusLines(status)) io.stdout(`${line}\n`);
      if (failed.length === 0) return EXIT.OK;
      io.stderr(`the rollout failed on ${failed.join(', ')}\n`);
      return EXIT.FAILED;
    }
    await io.pause();
  }
}

const UNFINISHED = ['Queued', 'Running', 'Retrying'];

async function status(io: CliIo, api: ApiClient, name: string, watch: boolean): Promise<number> {
  let last = '';
  for (;;) {
    const current = await ok(api.GET('/v1/policies/{name}/status', { params: { path: { name } } }));
    const text = statusLines(current).join('\n');
    if (text !== last) io.stdout(`${text}\n`);
    last = text;
    const running = current.clusters.some(
      (c) => c.operation && UNFINISHED.includes(c.operation.phase),
    );
    if (!watch || !running) {
      const failed = current.clusters.some((c) => c.operation?.phase === 'Failed');
      return watch && failed ? EXIT.FAILED : EXIT.OK;
    }
    await io.pause();
  }
}

async function addCluster(
  io: CliIo,
  api: ApiClient,
  command: Extract<Command, { kind: 'clusters-add' }>,
): Promise<number> {
  const kubeconfig = (await readBytes(io, command.kubeconfig)).toString('utf8');
  const cluster = await ok(
    api.POST('/v1/clusters', {
      body: {
        name: command.name,
        kubeconfig,
        ...(command.context ? { context: command.context } : {}),
        ...(Object.keys(command.labels).length > 0 ? { labels: command.labels } : {}),
      },
    }),
  );
  const { state, message } = cluster.connection;
  io.stdout(
    `cluster ${cluster.name} registered (${cluster.server}): ${state}${message ? `: ${message}` : ''}\n`,
  );
  for (const w of cluster.warnings) io.stderr(`Warning: ${w}\n`);
  return EXIT.OK;
}

async function listClusters(io: CliIo, api: ApiClient): Promise<number> {
  let cursor: string | undefined;
  do {
    const page = await ok(api.GET('/v1/clusters', { params: { query: { cursor } } }));
    for (const c of page.items) io.stdout(`${c.name}\t${c.server}\t${c.connection.state}\n`);
    cursor = page.nextCursor;
  } while (cursor);
  return EXIT.OK;
}

async function execute(io: CliIo, command: Command, connection: Connection): Promise<number> {
  if (command.kind === 'help') {
    io.stdout(USAGE);
    return EXIT.OK;
  }
  if (command.kind === 'compile' && !command.cluster)
    return compileOffline(io, command.file, command.output);
  const api = createApiClient({
    baseUrl: connection.url,
    ...(connection.token ? { token: connection.token } : {}),
    ...(io.fetch ? { fetch: io.fetch } : {}),
  });
  switch (command.kind) {
    case 'compile':
      return compileOnService(io, api, command);
    case 'plan': {
      const planned = await plan(io, api, command.file, command.name, command.targets);
      io.stdout(
        command.output === 'json'
          ? `${JSON.stringify(planned, null, 2)}\n`
          : `${planLines(planned).join('\n')}\n`,
      );
      return EXIT.OK;
    }
    case 'diff': {
      const planned = await plan(io, api, command.file, command.name, command.targets);
      io.stdout(diffText(planned));
      return command.exitCode && hasDifferences(planned) ? EXIT.DIFFERENCES : EXIT.OK;
    }
    case 'apply':
      return apply(io, api, command);
    case 'status':
      return status(io, api, command.name, command.watch);
    case 'clusters-add':
      return addCluster(io, api, command);
    case 'clusters-list':
      return listClusters(io, api);
  }
}

/** Hides a secret in everything the CLI prints, whatever put it there. */
function redacting(io: CliIo, secret: string | undefined): CliIo {
  if (!secret) return io;
  const hide = (text: string) => text.split(secret).join('***');
  return { ...io, stdout: (t) => io.stdout(hide(t)), stderr: (t) => io.stderr(hide(t)) };
}

/** Why a call could not reach the service, without anything but the URL's origin. */
function unreachable(url: string, error: unknown): string[] {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  let origin = url;
  try {
    origin = new URL(url).origin;
  } catch {
    // not a URL: said as given
  }
  return [`cannot reach ${origin}: ${cause?.code ?? cause?.message ?? 'the request failed'}`];
}

/** Runs `gbp-netpol ARGS`; resolves with the exit code (EXIT). */
export async function runCli(argv: string[], baseIo: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseCommand>;
  try {
    parsed = parseCommand(argv, baseIo.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    baseIo.stderr(`gbp-netpol: ${error.message}\nRun "gbp-netpol --help" for the usage.\n`);
    return EXIT.USAGE;
  }
  const io = redacting(baseIo, parsed.connection.token);
  try {
    return await execute(io, parsed.command, parsed.connection);
  } catch (error) {
    let lines: string[];
    let code: number = EXIT.REFUSED;
    if (error instanceof Refusal) [lines, code] = [error.lines, error.code];
    else if (error instanceof ApiProblemError) lines = error.lines();
    else if (error instanceof TypeError) lines = unreachable(parsed.connection.url, error);
    else throw error;
    io.stderr(lines.map((l) => `${l}\n`).join(''));
    return code;
  }
}
