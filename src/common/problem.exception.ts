import { HttpException } from '@nestjs/common';

/** One entry of a problem's `errors`: where, which stable code, and what is wrong. */
export interface ProblemItem {
  path: string;
  code: string;
  message: string;
}

/** The RFC 9457 body gbp-netpol answers with for every error. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ProblemItem[];
  warnings?: ProblemItem[];
  [extension: string]: unknown;
}

/** An HTTP error carrying a full problem+json body (build one with httpProblem). */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemBody) {
    super(problem, problem.status);
  }
}

export function problemType(code: string): string {
  return `urn:gbp-netpol:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}
