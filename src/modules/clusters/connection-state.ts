import { ProblemException } from '../../common/problem.exception.js';
import type { ConnectionState } from '../../infra/database/schema.js';
import { KubeApiError } from '../../infra/kube/index.js';
import { redact } from '../../infra/kube/kube-api-error.js';

/** Budget of one connection check (the version call) made while a client waits. */
export const CONNECT_TIMEOUT_MS = 10_000;

const MAX_MESSAGE_LENGTH = 1000;

/** The result of one attempt to talk to a cluster, as stored on its row. */
export interface ConnectionOutcome {
  state: ConnectionState;
  /** Why it failed; null on success. Never contains a credential. */
  message: string | null;
  /** gitVersion of the API server, when the attempt told it. */
  serverVersion?: string;
}

/**
 * A message about a failed call that is safe to store, answer and log: KubeApiError messages
 * are already scrubbed by the gateway; everything is scrubbed again of the cluster's own
 * secrets and of anything that looks like a token or a PEM block.
 */
export function safeErrorMessage(error: unknown, secrets: readonly string[] = []): string {
  let text: string;
  if (error instanceof ProblemException) text = error.problem.detail;
  else if (error instanceof Error && error.name === 'TimeoutError')
    text = 'the API server did not answer in time';
  else if (error instanceof Error) text = error.message || error.name;
  else if (typeof error === 'string') text = error;
  else text = 'unknown error';
  const scrubbed = redact(text, secrets);
  return scrubbed.length > MAX_MESSAGE_LENGTH
    ? `${scrubbed.slice(0, MAX_MESSAGE_LENGTH)}…`
    : scrubbed;
}

/**
 * Classifies a failed call: `Unauthorized` when the API server rejected the credentials
 * (KubeApiError kind unauthorized or forbidden), `Unreachable` for anything else (network,
 * TLS, timeouts, server errors).
 */
export function classifyConnectionError(
  error: unknown,
  secrets: readonly string[] = [],
): ConnectionOutcome {
  const rejected =
    error instanceof KubeApiError && (error.kind === 'unauthorized' || error.kind === 'forbidden');
  return {
    state: rejected ? 'Unauthorized' : 'Unreachable',
    message: safeErrorMessage(error, secrets),
  };
}

/**
 * Whether an error of some API call says something about the connection as a whole. An
 * answer about the request itself (invalid, conflict, not found) proves the server was reached
 * and accepted the credentials, so it does not change the connection state.
 */
export function concernsConnection(error: unknown): boolean {
  return !(
    error instanceof KubeApiError && ['invalid', 'conflict', 'notFound'].includes(error.kind)
  );
}
