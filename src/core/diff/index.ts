export {
  connectivityChange,
  portSetFromJson,
  subtractPortSets,
  type ConnectivityChange,
  type ConnectivityDelta,
  type ConnectivitySide,
} from './connectivity-change.js';
export { documentDiff } from './document-diff.js';
export { fieldOwners, type FieldOwner } from './field-owners.js';
export {
  canonicalValue,
  jsonDiff,
  jsonEqual,
  parsePointer,
  type JsonPatchOp,
} from './json-patch.js';
export {
  compareKeys,
  diffManifestSets,
  diffObjects,
  normaliseForDiff,
  renderYaml,
  unifiedText,
  type DiffAction,
  type DiffLabels,
  type ObjectDiff,
} from './object-diff.js';
