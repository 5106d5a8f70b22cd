import { Injectable, type PipeTransform } from '@nestjs/common';
import { parsePolicyDocument } from '../core/document/parse-policy-document.js';
import type { NormalisedDocument } from '../core/document/policy-document.types.js';
import type { Problem } from '../core/problems/problem.js';
import { documentProblem } from './document-problem.js';

/** A document that passed validation, with the warnings found on the way. */
export interface ParsedDocument {
  document: NormalisedDocument;
  warnings: Problem[];
  /** The body as sent, kept to store it verbatim. */
  raw: unknown;
}

/** Validates a request body as a policy document; a bad one is a 400 listing every problem. */
@Injectable()
export class ParsePolicyDocumentPipe implements PipeTransform<unknown, ParsedDocument> {
  transform(value: unknown): ParsedDocument {
    const result = parsePolicyDocument(value);
    if (!result.ok) throw documentProblem(result.errors, result.warnings);
    return { document: result.document, warnings: result.warnings, raw: value };
  }
}
