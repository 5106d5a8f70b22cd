import { Injectable } from '@nestjs/common';
import { DocumentCompiler } from './document-compiler.service.js';

/** An answer already serialised as JSON, or a value for the response interceptors (YAML). */
export type CompileAnswer = { json: string } | { answer: unknown };

/**
 * POST /v1/compile and /v1/compile/connectivity: compile (and evaluate) without storing
 * anything. The whole work, parse to serialised answer, runs in the compute pool.
 */
@Injectable()
export class CompileService {
  constructor(private readonly compiler: DocumentCompiler) {}

  /** `{items, warnings}`: the compiled objects; as data when the client asked for YAML. */
  compile(body: unknown, yaml: boolean): Promise<CompileAnswer> {
    return this.compiler.renderBody(body, 'objects', yaml ? 'data' : 'json');
  }

  /** The connectivity matrix of the compiled objects, with the warnings. */
  connectivity(body: unknown): Promise<CompileAnswer> {
    return this.compiler.renderBody(body, 'connectivity', 'json');
  }
}
