import {
  ProblemException,
  problemType,
  titleFor,
  type ProblemItem,
} from '../../common/problem.exception.js';

/** The problems (HTTP errors) of the clusters API; codes become `urn:gbp-netpol:problem:<code>`. */
export const clusterNotFound = (name: string): ProblemException =>
  ProblemException.of(
    404,
    'CLUSTER_NOT_FOUND',
    `No cluster named ${JSON.stringify(name)} is registered.`,
  );

export const clusterExists = (name: string): ProblemException =>
  ProblemException.of(
    409,
    'CLUSTER_EXISTS',
    `A cluster named ${JSON.stringify(name)} is already registered; change it with PATCH /v1/clusters/${name}.`,
  );

export const credentialsUnreadable = (name: string): ProblemException =>
  ProblemException.of(
    500,
    'CLUSTER_CREDENTIALS_UNREADABLE',
    `The stored credentials of cluster ${JSON.stringify(name)} cannot be decrypted (ENCRYPTION_KEY changed, or the row was altered); set them again with PATCH.`,
  );

export const insecureServerRefused = (name: string): ProblemException =>
  ProblemException.of(
    409,
    'CLUSTER_URL_INSECURE',
    `Cluster ${JSON.stringify(name)} has an http:// server, which ALLOW_INSECURE_CLUSTER_URLS no longer permits; set an https:// server with PATCH.`,
  );

export const pruneFailed = (name: string, message: string): ProblemException =>
  ProblemException.of(
    502,
    'CLUSTER_PRUNE_FAILED',
    `Pruning cluster ${JSON.stringify(name)} failed, so it was not removed: ${message}. Retry, or delete without prune=true.`,
  );

export const checkFailed = (name: string, message: string): ProblemException =>
  ProblemException.of(
    502,
    'CLUSTER_CHECK_FAILED',
    `Checking the permissions on cluster ${JSON.stringify(name)} failed: ${message}`,
  );

/** A 400 in the same shape as the global validation pipe's, for the checks DTOs cannot express. */
export function invalidRequest(errors: ProblemItem[]): ProblemException {
  const sorted = [...errors].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0,
  );
  return new ProblemException({
    type: problemType('INVALID_REQUEST'),
    title: titleFor(400),
    status: 400,
    detail: `The request has ${sorted.length} error${sorted.length === 1 ? '' : 's'}.`,
    errors: sorted,
  });
}
