import { fieldOwners } from './field-owners.js';

/**
 * A NetworkPolicy after gbp-netpol applied it and `kubectl edit` (a JSON merge patch) replaced
 * its ingress list, as the API server records it: ingress is an atomic list, so the editor
 * took it over whole.
 */
const edited = {
  metadata: {
    name: 'web',
    namespace: 'ns',
    labels: { 'app.kubernetes.io/managed-by': 'gbp-netpol', team: 'x' },
    annotations: { 'gbp-netpol.io/revision': '1' },
    managedFields: [
      {
        manager: 'gbp-netpol',
        operation: 'Apply',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': {
            'f:annotations': { 'f:gbp-netpol.io/revision': {} },
            'f:labels': { 'f:app.kubernetes.io/managed-by': {} },
          },
          'f:spec': { 'f:podSelector': {}, 'f:policyTypes': {} },
        },
      },
      {
        manager: 'kubectl-edit',
        operation: 'Update',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } },
          'f:spec': { 'f:ingress': {} },
        },
      },
    ],
  },
  spec: {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [{ ports: [{ protocol: 'TCP', port: 24 }] }],
  },
};

/** A pod-like object with associative (k:) and set (v:) lists, as other kinds have. */
const pod = {
  metadata: {
    finalizers: ['a.example/x', 'b.example/y'],
    managedFields: [
      {
        manager: 'deployer',
        fieldsV1: {
          'f:metadata': { 'f:finalizers': { '.': {}, 'v:"a.example/x"': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"app"}': {
                '.': {},
                'f:image': {},
                'f:ports': {
                  'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
                },
              },
            },
          },
        },
      },
      {
        manager: 'sidecar-injector',
        fieldsV1: {
          'f:metadata': { 'f:finalizers': { 'v:"b.example/y"': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"proxy"}': { '.': {}, 'f:image': {} } } },
        },
      },
      {
        manager: 'scaler',
        fieldsV1: { 'f:spec': { 'f:containers': { 'i:0': { 'f:resources': {} } } } },
      },
    ],
  },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'app:1',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        resources: {},
      },
      { name: 'proxy', image: 'proxy:1' },
    ],
  },
};

describe('fieldOwners', () => {
  const cases: { name: string; live: object; path: string; managers: (string | null)[] }[] = [
    { name: 'f: leaf', live: edited, path: '/spec/policyTypes', managers: ['gbp-netpol'] },
    {
      name: 'inside an atomic list owned whole by another manager',
      live: edited,
      path: '/spec/ingress/0/ports/0/port',
      managers: ['kubectl-edit'],
    },
    {
      name: 'the atomic list itself',
      live: edited,
      path: '/spec/ingress',
      managers: ['kubectl-edit'],
    },
    {
      name: 'inside an atomic struct (podSelector)',
      live: edited,
      path: '/spec/podSelector/matchLabels/net',
      managers: ['gbp-netpol'],
    },
    {
      name: 'a map key',
      live: edited,
      path: '/metadata/labels/app.kubernetes.io~1managed-by',
      managers: ['gbp-netpol'],
    },
    {
      name: 'a key not owned yet falls back to the manager owning the map (its "." marker)',
      live: edited,
      path: '/metadata/labels/new',
      managers: ['kubectl-edit'],
    },
    { name: 'nobody owns it', live: edited, path: '/metadata/name', managers: [null] },
    { name: 'the root is owned by nobody', live: edited, path: '', managers: [null] },
    {
      name: 'k: associative list item field',
      live: pod,
      path: '/spec/containers/1/image',
      managers: ['sidecar-injector'],
    },
    {
      name: 'k: nested associative list (multi-key)',
      live: pod,
      path: '/spec/containers/0/ports/0/containerPort',
      managers: ['deployer'],
    },
    {
      name: 'k: item owned through "." for a field nobody owns',
      live: pod,
      path: '/spec/containers/0/ports/0/protocol',
      managers: ['deployer'],
    },
    {
      name: 'i: item by index',
      live: pod,
      path: '/spec/containers/0/resources',
      managers: ['scaler'],
    },
    {
      name: 'v: set item by value',
      live: pod,
      path: '/metadata/finalizers/1',
      managers: ['sidecar-injector'],
    },
    {
      name: 'an index beyond the live list: the owner of the list ("." marker)',
      live: pod,
      path: '/metadata/finalizers/5',
      managers: ['deployer'],
    },
    { name: 'no managedFields at all', live: { metadata: {} }, path: '/spec', managers: [null] },
  ];
  it.each(cases)('$name', ({ live, path, managers }) => {
    expect(fieldOwners(live, [path])).toEqual(managers.map((manager) => ({ path, manager })));
  });

  it('lists every manager sharing a field (sorted), keeps the order of paths and drops duplicates', () => {
    const shared = {
      metadata: {
        managedFields: [
          { manager: 'z-apply', fieldsV1: { 'f:spec': { 'f:policyTypes': {} } } },
          { manager: 'a-apply', fieldsV1: { 'f:spec': { 'f:policyTypes': {} } } },
          { manager: 'other', fieldsType: 'FieldsV2', fieldsV1: { 'f:spec': { 'f:ingress': {} } } },
        ],
      },
      spec: { policyTypes: ['Ingress'], ingress: [] },
    };
    expect(
      fieldOwners(shared, ['/spec/policyTypes/0', '/spec/ingress', '/spec/policyTypes/0']),
    ).toEqual([
      { path: '/spec/policyTypes/0', manager: 'a-apply' },
      { path: '/spec/policyTypes/0', manager: 'z-apply' },
      { path: '/spec/ingress', manager: null },
    ]);
    expect(fieldOwners(null, ['/a'])).toEqual([{ path: '/a', manager: null }]);
  });
});
