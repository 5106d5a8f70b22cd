import { problem, type Problem, type ProblemCode } from '../problems/problem.js';

/** Collects errors and warnings while a document is parsed; nothing ever throws. */
export class ProblemSink {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];

  error(path: string, code: ProblemCode, params?: Record<string, string | number>): void {
    this.errors.push(problem(path, code, params));
  }

  warn(path: string, code: ProblemCode, params?: Record<string, string | number>): void {
    this.warnings.push(problem(path, code, params));
  }

  /** A mark to pass to hasErrorsSince(), to tell whether a part of the input had errors. */
  mark(): number {
    return this.errors.length;
  }

  hasErrorsSince(mark: number): boolean {
    return this.errors.length > mark;
  }
}
