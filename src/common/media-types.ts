/** Request bodies read as JSON (body-parser's `json`). */
export const JSON_BODY_TYPES = ['application/json', 'application/*+json'];

/**
 * Request bodies read as YAML: application/yaml (RFC 9512) and the older names tools still
 * send (`kubectl`-style pipelines, curl --data-binary with text/yaml).
 */
export const YAML_BODY_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
];

/** The YAML media type this API answers with. */
export const YAML_MEDIA_TYPE = 'application/yaml';
