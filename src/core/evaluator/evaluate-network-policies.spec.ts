import type { NetworkPolicy } from '../kube/network-policy.types.js';
import { ALL_PORTS, describePortSet, NO_PORTS } from '../ports/port-set.js';
import {
  createEvaluator,
  effectivePolicyTypes,
  evaluateMatrix,
} from './evaluate-network-policies.js';
import { ext, NAMESPACES, pod, policy } from './evaluator.fixtures.js';
import type { EvalNamespace, EvalSource } from './evaluator.types.js';

/** Port sets are compared through describePortSet: 'all', 'none', 'TCP:80;UDP:53', ... */
interface Case {
  name: string;
  input: {
    policies: NetworkPolicy[];
    namespaces?: EvalNamespace[];
    src: EvalSource;
    dst: EvalSource;
  };
  /** `allowed` is allowedPorts (or allowedPortsToExternal); the others are checked when given. */
  expected: { allowed: string; ingress?: string; egress?: string };
}

const web = { app: 'web' };
const db = { app: 'db' };
const denyAllIngress = (ns: string) => policy(ns, 'deny-all-ingress', { policyTypes: ['Ingress'] });
const allowIngress = (
  ns: string,
  name: string,
  spec: Pick<NetworkPolicy['spec'], 'podSelector' | 'ingress'>,
) => policy(ns, name, { policyTypes: ['Ingress'], ...spec });
const allowEgress = (
  ns: string,
  name: string,
  spec: Pick<NetworkPolicy['spec'], 'podSelector' | 'egress'>,
) => policy(ns, name, { policyTypes: ['Egress'], ...spec });

const isolation: Case[] = [
  {
    name: 'no policy at all: nothing is isolated',
    input: { policies: [], src: pod('dev', web), dst: pod('prod', db) },
    expected: { allowed: 'all', ingress: 'all', egress: 'all' },
  },
  {
    name: 'not isolated when no policy selects the pod (podSelector matches other pods)',
    input: {
      policies: [
        policy('prod', 'db-only', { podSelector: { matchLabels: db }, policyTypes: ['Ingress'] }),
      ],
      src: pod('dev', web),
      dst: pod('prod', web),
    },
    expected: { allowed: 'all', ingress: 'all' },
  },
  {
    name: 'a policy in another namespace does not select pods here',
    input: { policies: [denyAllIngress('dev')], src: pod('dev', web), dst: pod('prod', db) },
    expected: { allowed: 'all', ingress: 'all' },
  },
  {
    name: 'empty podSelector selects every pod of its namespace',
    input: {
      policies: [denyAllIngress('prod')],
      src: pod('prod', web),
      dst: pod('prod', { any: 'thing' }),
    },
    expected: { allowed: 'none', ingress: 'none', egress: 'all' },
  },
  {
    name: 'empty ingress list with Ingress type = deny all',
    input: {
      policies: [policy('prod', 'p', { policyTypes: ['Ingress'], ingress: [] })],
      src: pod('prod', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none', ingress: 'none' },
  },
  {
    name: 'policyTypes absent and no rules: Ingress isolation only',
    input: { policies: [policy('prod', 'p', {})], src: pod('prod', web), dst: pod('prod', db) },
    expected: { allowed: 'none', ingress: 'none', egress: 'all' },
  },
  {
    name: 'policyTypes absent and no rules: the selected pod may still send anywhere',
    input: { policies: [policy('prod', 'p', {})], src: pod('prod', web), dst: pod('dev', db) },
    expected: { allowed: 'all', ingress: 'all', egress: 'all' },
  },
  {
    name: 'policyTypes absent + egress rules: Egress isolation (and Ingress)',
    input: {
      policies: [
        policy('prod', 'p', {
          egress: [{ to: [{ podSelector: { matchLabels: db } }], ports: [{ port: 5432 }] }],
        }),
      ],
      src: pod('prod', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none', ingress: 'none', egress: 'TCP:5432' },
  },
  {
    name: 'policyTypes absent + egress rules: egress to an unlisted pod denied',
    input: {
      policies: [
        policy('prod', 'p', {
          egress: [{ to: [{ podSelector: { matchLabels: db } }], ports: [{ port: 5432 }] }],
        }),
      ],
      src: pod('prod', web),
      dst: pod('dev', { app: 'cache' }),
    },
    expected: { allowed: 'none', ingress: 'all', egress: 'none' },
  },
  {
    name: 'policyTypes absent + empty egress list: no Egress isolation',
    input: {
      policies: [policy('prod', 'p', { egress: [] })],
      src: pod('prod', web),
      dst: pod('dev', db),
    },
    expected: { allowed: 'all', egress: 'all' },
  },
  {
    name: 'policyTypes [] defaults like absent (egress rules => Egress)',
    input: {
      policies: [
        policy('prod', 'p', {
          policyTypes: [],
          egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
        }),
      ],
      src: pod('prod', web),
      dst: pod('dev', db),
    },
    expected: { allowed: 'UDP:53', egress: 'UDP:53', ingress: 'all' },
  },
  {
    name: 'policyTypes [Egress] only does not isolate ingress',
    input: {
      policies: [policy('prod', 'p', { policyTypes: ['Egress'] })],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all', ingress: 'all' },
  },
  {
    name: 'policyTypes [Egress]: its ingress rules are ignored',
    input: {
      policies: [
        policy('prod', 'p', {
          policyTypes: ['Egress'],
          ingress: [{ ports: [{ port: 80 }] }],
          egress: [{}],
        }),
      ],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all', ingress: 'all' },
  },
  {
    name: 'policyTypes [Egress] with no egress rules: deny all egress',
    input: {
      policies: [policy('prod', 'p', { policyTypes: ['Egress'] })],
      src: pod('prod', web),
      dst: pod('dev', db),
    },
    expected: { allowed: 'none', egress: 'none', ingress: 'all' },
  },
  {
    name: 'policyTypes [Ingress]: its egress rules are ignored',
    input: {
      policies: [
        policy('prod', 'p', {
          policyTypes: ['Ingress'],
          ingress: [{}],
          egress: [{ ports: [{ port: 1 }] }],
        }),
      ],
      src: pod('prod', web),
      dst: pod('dev', db),
    },
    expected: { allowed: 'all', egress: 'all' },
  },
];

const combination: Case[] = [
  {
    name: 'ingress AND egress both required: intersection',
    input: {
      policies: [
        allowEgress('dev', 'out', {
          podSelector: { matchLabels: web },
          egress: [
            {
              to: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }],
              ports: [{ port: 80 }, { port: 443 }],
            },
          ],
        }),
        allowIngress('prod', 'in', {
          podSelector: {},
          ingress: [
            {
              from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }],
              ports: [{ port: 443 }, { port: 8443 }],
            },
          ],
        }),
      ],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'TCP:443', ingress: 'TCP:443,8443', egress: 'TCP:80,443' },
  },
  {
    name: 'egress allows but ingress denies: none',
    input: {
      policies: [
        allowEgress('dev', 'out', { podSelector: {}, egress: [{}] }),
        denyAllIngress('prod'),
      ],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none', ingress: 'none', egress: 'all' },
  },
  {
    name: 'ingress allows but egress denies: none',
    input: {
      policies: [
        policy('dev', 'deny-egress', { policyTypes: ['Egress'] }),
        allowIngress('prod', 'in', { podSelector: {}, ingress: [{}] }),
      ],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none', ingress: 'all', egress: 'none' },
  },
  {
    name: 'additive allows across policies (a deny-all does not subtract)',
    input: {
      policies: [
        denyAllIngress('prod'),
        allowIngress('prod', 'a', {
          podSelector: { matchLabels: db },
          ingress: [{ ports: [{ port: 80 }] }],
        }),
        allowIngress('prod', 'b', {
          podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
          ingress: [{ ports: [{ protocol: 'UDP', port: 53 }] }],
        }),
        allowIngress('prod', 'c-other-source', {
          podSelector: {},
          ingress: [
            { from: [{ podSelector: { matchLabels: { app: 'nobody' } } }], ports: [{ port: 22 }] },
          ],
        }),
      ],
      src: pod('prod', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'TCP:80;UDP:53', ingress: 'TCP:80;UDP:53' },
  },
  {
    name: 'additive allows across rules of one policy',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [
            { ports: [{ port: 80 }] },
            { ports: [{ port: 81 }] },
            { ports: [{ port: 1000, endPort: 2000 }] },
          ],
        }),
      ],
      src: pod('prod', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'TCP:80-81,1000-2000' },
  },
  {
    name: 'external source: only ingress applies',
    input: {
      policies: [
        allowIngress('prod', 'a', { podSelector: {}, ingress: [{ ports: [{ port: 443 }] }] }),
        policy('prod', 'deny-egress', { policyTypes: ['Egress'] }),
      ],
      src: ext('203.0.113.7'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'TCP:443', ingress: 'TCP:443' },
  },
];

const peers: Case[] = [
  {
    name: 'rule with empty from = every pod',
    input: {
      policies: [allowIngress('prod', 'a', { podSelector: {}, ingress: [{ from: [] }] })],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all' },
  },
  {
    name: 'rule with empty from = every external address',
    input: {
      policies: [allowIngress('prod', 'a', { podSelector: {}, ingress: [{ from: [] }] })],
      src: ext('1.2.3.4'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all' },
  },
  {
    name: 'rule with no from = every source, even an unparseable address',
    input: {
      policies: [allowIngress('prod', 'a', { podSelector: {}, ingress: [{}] })],
      src: ext('not-an-ip'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all' },
  },
  {
    name: 'namespaceSelector {} = pods of every namespace',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ namespaceSelector: {} }] }],
        }),
      ],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all' },
  },
  {
    name: 'namespaceSelector {} also matches a namespace unknown to the evaluator',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ namespaceSelector: {} }] }],
        }),
      ],
      src: pod('elsewhere', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all' },
  },
  {
    name: 'namespaceSelector {} does not match external addresses',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ namespaceSelector: {} }] }],
        }),
      ],
      src: ext('1.2.3.4'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'namespaceSelector absent = the policy namespace only (other namespace denied)',
    input: {
      policies: [
        allowIngress('prod', 'a', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }),
      ],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'namespaceSelector absent = the policy namespace only (same namespace allowed)',
    input: {
      policies: [
        allowIngress('prod', 'a', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }),
      ],
      src: pod('prod', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all' },
  },
  {
    name: 'egress podSelector-only peer = pods of the policy (source) namespace',
    input: {
      policies: [
        allowEgress('prod', 'out', {
          podSelector: {},
          egress: [{ to: [{ podSelector: { matchLabels: db } }] }],
        }),
      ],
      src: pod('prod', web),
      dst: pod('dev', db),
    },
    expected: { allowed: 'none', egress: 'none' },
  },
  ...(
    [
      ['dev', web, 'all'],
      ['dev', db, 'none'],
      ['prod', web, 'none'],
    ] as const
  ).map(([ns, labels, allowed]): Case => ({
    name: `podSelector + namespaceSelector in ONE peer (AND): ${ns}/${labels.app} -> ${allowed}`,
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { env: 'dev' } },
                  podSelector: { matchLabels: web },
                },
              ],
            },
          ],
        }),
      ],
      src: pod(ns, labels),
      dst: pod('prod', db),
    },
    expected: { allowed },
  })),
  ...(
    [
      ['dev', db, 'all'],
      ['prod', web, 'all'],
      ['kube-system', web, 'none'],
      ['prod', db, 'none'],
    ] as const
  ).map(([ns, labels, allowed]): Case => ({
    name: `podSelector and namespaceSelector in TWO peers (OR): ${ns}/${labels.app} -> ${allowed}`,
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [
            {
              from: [
                { namespaceSelector: { matchLabels: { env: 'dev' } } },
                { podSelector: { matchLabels: web } },
              ],
            },
          ],
        }),
      ],
      src: pod(ns, labels),
      dst: pod('prod', db),
    },
    expected: { allowed },
  })),
  {
    name: 'namespaceSelector by kubernetes.io/metadata.name, label added by the evaluator',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [
            {
              from: [
                {
                  namespaceSelector: {
                    matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
                  },
                },
              ],
            },
          ],
        }),
      ],
      src: pod('kube-system', { k8s: 'dns' }),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all' },
  },
  {
    name: 'kubernetes.io/metadata.name is forced to the name, as the API server does',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [
            {
              from: [
                { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } },
              ],
            },
          ],
        }),
      ],
      namespaces: [{ name: 'dev', labels: { 'kubernetes.io/metadata.name': 'spoofed' } }],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all' },
  },
  {
    name: 'unknown namespace has only its name label',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [
            {
              from: [
                { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-x' } } },
              ],
              ports: [{ port: 1 }],
            },
            {
              from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }],
              ports: [{ port: 2 }],
            },
          ],
        }),
      ],
      src: pod('team-x', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'TCP:1' },
  },
  {
    name: 'matchExpressions In / NotIn on the policy podSelector and peers',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {
            matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'cache'] }],
          },
          ingress: [
            {
              from: [
                {
                  namespaceSelector: {
                    matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }],
                  },
                  podSelector: {
                    matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }],
                  },
                },
              ],
              ports: [{ port: 5432 }],
            },
          ],
        }),
      ],
      src: pod('kube-system', {}),
      dst: pod('prod', db),
    },
    expected: { allowed: 'TCP:5432' },
  },
  {
    name: 'matchExpressions In on the policy podSelector: an unselected pod is not isolated',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {
            matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'cache'] }],
          },
          ingress: [],
        }),
      ],
      src: pod('dev', {}),
      dst: pod('prod', web),
    },
    expected: { allowed: 'all' },
  },
  {
    name: 'matchExpressions Exists / DoesNotExist',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
          ingress: [
            {
              from: [
                {
                  podSelector: { matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }] },
                },
              ],
              ports: [{ port: 1 }],
            },
            {
              from: [
                { podSelector: { matchExpressions: [{ key: 'legacy', operator: 'Exists' }] } },
              ],
              ports: [{ port: 2 }],
            },
          ],
        }),
      ],
      src: pod('prod', { legacy: '' }),
      dst: pod('prod', { tier: '' }),
    },
    expected: { allowed: 'TCP:2' },
  },
  {
    name: 'ipBlock: address in cidr',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
        }),
      ],
      src: ext('10.2.0.1'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all' },
  },
  {
    name: 'ipBlock: address in an except',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
        }),
      ],
      src: ext('10.1.2.3'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'ipBlock: address outside cidr',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
        }),
      ],
      src: ext('11.0.0.1'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'ipBlock IPv6: in cidr',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [
            { from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] },
          ],
        }),
      ],
      src: ext('2001:db8::5'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'all' },
  },
  {
    name: 'ipBlock IPv6: in except',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [
            { from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] },
          ],
        }),
      ],
      src: ext('2001:db8:1::5'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'ipBlock ::/0 does not match an IPv4 address',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: '::/0' } }] }],
        }),
      ],
      src: ext('10.0.0.1'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'ipBlock 0.0.0.0/0 never matches a pod (pods are matched by selectors only)',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
        }),
      ],
      src: pod('prod', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'egress ipBlock never matches a destination pod',
    input: {
      policies: [
        allowEgress('prod', 'out', {
          podSelector: {},
          egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
        }),
      ],
      src: pod('prod', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none', egress: 'none' },
  },
  {
    name: 'egress to an external address through ipBlock with except',
    input: {
      policies: [
        allowEgress('prod', 'out', {
          podSelector: {},
          egress: [
            {
              to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }],
              ports: [{ port: 443 }],
            },
          ],
        }),
      ],
      src: pod('prod', web),
      dst: ext('8.8.8.8'),
    },
    expected: { allowed: 'TCP:443', egress: 'TCP:443' },
  },
  {
    name: 'egress to an external address in the except',
    input: {
      policies: [
        allowEgress('prod', 'out', {
          podSelector: {},
          egress: [
            {
              to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }],
              ports: [{ port: 443 }],
            },
          ],
        }),
      ],
      src: pod('prod', web),
      dst: ext('10.0.0.1'),
    },
    expected: { allowed: 'none', egress: 'none' },
  },
  {
    name: 'egress to an external address from a pod without egress policy',
    input: { policies: [denyAllIngress('prod')], src: pod('prod', web), dst: ext('8.8.8.8') },
    expected: { allowed: 'all', egress: 'all' },
  },
  {
    name: 'selectors never match an external destination',
    input: {
      policies: [
        allowEgress('prod', 'out', {
          podSelector: {},
          egress: [{ to: [{ namespaceSelector: {}, podSelector: {} }] }],
        }),
      ],
      src: pod('prod', web),
      dst: ext('8.8.8.8'),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'unparseable external address matches no ipBlock',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
        }),
      ],
      src: ext('10.0.0.1/8'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
];

/** A pod that carries an IP address: ipBlocks match it as conformance-testing plugins do. */
const podWithIp = (
  namespace: string,
  labels: Record<string, string>,
  ip: string,
): EvalSource & { kind: 'pod' } => ({ kind: 'pod', pod: { namespace, labels, ip } });

const podIps: Case[] = [
  {
    name: 'ipBlock matches a pod whose ip is in the cidr (an untagged pod gets through)',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: { matchLabels: db },
          ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 80 }] }],
        }),
      ],
      src: podWithIp('prod', {}, '10.244.1.5'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'TCP:80', ingress: 'TCP:80' },
  },
  {
    name: 'ipBlock: a pod ip in an except is not matched',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] } }] }],
        }),
      ],
      src: podWithIp('dev', web, '10.244.1.5'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'ipBlock: a pod ip of the other family is not matched',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: '::/0' } }] }],
        }),
      ],
      src: podWithIp('dev', web, '10.244.1.5'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'egress ipBlock matches a destination pod by its ip',
    input: {
      policies: [
        allowEgress('prod', 'out', {
          podSelector: {},
          egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/16' } }], ports: [{ port: 5432 }] }],
        }),
      ],
      src: pod('prod', web),
      dst: podWithIp('prod', db, '10.244.3.4'),
    },
    expected: { allowed: 'TCP:5432', egress: 'TCP:5432' },
  },
  {
    name: 'a pod with an ip is still matched by selectors',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ podSelector: { matchLabels: web } }], ports: [{ port: 1 }] }],
        }),
      ],
      src: podWithIp('prod', web, '2001:db8::5'),
      dst: podWithIp('prod', db, '2001:db8::6'),
    },
    expected: { allowed: 'TCP:1' },
  },
  {
    name: 'a pod with an unparseable ip matches no ipBlock',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
        }),
      ],
      src: podWithIp('prod', web, '10.0.0.1/32'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
];

const ports: Case[] = [
  ...(
    [
      ['rule without ports = every port of every protocol', undefined, 'all'],
      ['empty ports list = every port', [], 'all'],
      ['protocol absent = TCP', [{ port: 80 }], 'TCP:80'],
      ['endPort range is inclusive', [{ port: 8000, endPort: 8100 }], 'TCP:8000-8100'],
      ['named port is an opaque atom', [{ port: 'http' }], 'TCP:http'],
      [
        'UDP and SCTP',
        [
          { protocol: 'UDP', port: 53 },
          { protocol: 'SCTP', port: 9 },
        ],
        'SCTP:9;UDP:53',
      ],
      ['protocol without port = every port of that protocol', [{ protocol: 'UDP' }], 'UDP:all'],
      ['adjacent ranges merge', [{ port: 1, endPort: 10 }, { port: 11 }], 'TCP:1-11'],
    ] as const
  ).map(([name, rulePorts, allowed]): Case => ({
    name,
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [rulePorts ? { ports: rulePorts.map((p) => ({ ...p })) } : {}],
        }),
      ],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed, ingress: allowed },
  })),
  {
    name: 'endPort range intersected with a single egress port',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ ports: [{ port: 8000, endPort: 8100 }] }],
        }),
        allowEgress('dev', 'b', {
          podSelector: {},
          egress: [{ ports: [{ port: 8100 }, { port: 8101 }] }],
        }),
      ],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'TCP:8100' },
  },
  {
    name: 'a named port never equals a numeric port',
    input: {
      policies: [
        allowIngress('prod', 'a', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] }),
        allowEgress('dev', 'b', { podSelector: {}, egress: [{ ports: [{ port: 80 }] }] }),
      ],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'the same named port on both sides',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ ports: [{ port: 'http' }, { port: 'metrics' }] }],
        }),
        allowEgress('dev', 'b', { podSelector: {}, egress: [{ ports: [{ port: 'http' }] }] }),
      ],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'TCP:http' },
  },
  {
    name: 'protocols do not mix: TCP 53 vs UDP 53',
    input: {
      policies: [
        allowIngress('prod', 'a', { podSelector: {}, ingress: [{ ports: [{ port: 53 }] }] }),
        allowEgress('dev', 'b', {
          podSelector: {},
          egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
        }),
      ],
      src: pod('dev', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
];

const invalidShapes: Case[] = [
  {
    name: 'a peer with no field matches nothing',
    input: {
      policies: [allowIngress('prod', 'a', { podSelector: {}, ingress: [{ from: [{}] }] })],
      src: pod('prod', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'a peer with ipBlock and a selector matches nothing',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' }, namespaceSelector: {} }] }],
        }),
      ],
      src: pod('prod', web),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'an invalid cidr matches nothing',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: 'nope' } }] }],
        }),
      ],
      src: ext('1.1.1.1'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
  {
    name: 'an invalid except makes the ipBlock match nothing',
    input: {
      policies: [
        allowIngress('prod', 'a', {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['x'] } }] }],
        }),
      ],
      src: ext('1.1.1.1'),
      dst: pod('prod', db),
    },
    expected: { allowed: 'none' },
  },
];

function run({ input, expected }: Case): void {
  const ev = createEvaluator(input.policies, input.namespaces ?? NAMESPACES);
  const { src, dst } = input;
  if (dst.kind === 'pod') {
    expect(describePortSet(ev.allowedPorts(src, dst.pod)), 'allowed').toBe(expected.allowed);
    if (expected.ingress !== undefined)
      expect(describePortSet(ev.ingressAllowed(src, dst.pod)), 'ingress').toBe(expected.ingress);
    if (expected.egress !== undefined && src.kind === 'pod') {
      expect(describePortSet(ev.egressAllowed(src.pod, dst)), 'egress').toBe(expected.egress);
    }
    const matrix = evaluateMatrix(
      input.policies,
      input.namespaces ?? NAMESPACES,
      [{ id: 's', source: src }],
      [{ id: 'd', pod: dst.pod }],
    );
    expect(
      matrix.map((e) => describePortSet(e.ports)),
      'matrix',
    ).toEqual([expected.allowed]);
  } else {
    if (src.kind !== 'pod') throw new Error('a case needs at least one pod end');
    expect(describePortSet(ev.allowedPortsToExternal(src.pod, dst.ip)), 'allowed').toBe(
      expected.allowed,
    );
    if (expected.egress !== undefined)
      expect(describePortSet(ev.egressAllowed(src.pod, dst)), 'egress').toBe(expected.egress);
  }
}

describe('createEvaluator', () => {
  describe('isolation and policyTypes', () => it.each(isolation)('$name', run));
  describe('ingress/egress combination', () => it.each(combination)('$name', run));
  describe('peers', () => it.each(peers)('$name', run));
  describe('pods with an ip address', () => it.each(podIps)('$name', run));
  describe('ports', () => it.each(ports)('$name', run));
  describe('shapes the API server rejects', () => it.each(invalidShapes)('$name', run));

  it('reports isolation per direction', () => {
    const ev = createEvaluator(
      [policy('prod', 'p', { podSelector: { matchLabels: db }, policyTypes: ['Egress'] })],
      NAMESPACES,
    );
    expect(ev.isEgressIsolated({ namespace: 'prod', labels: db })).toBe(true);
    expect(ev.isIngressIsolated({ namespace: 'prod', labels: db })).toBe(false);
    expect(ev.isEgressIsolated({ namespace: 'prod', labels: web })).toBe(false);
  });

  it('returns the canonical ALL_PORTS / NO_PORTS constants for trivial answers', () => {
    const ev = createEvaluator([denyAllIngress('prod')], NAMESPACES);
    expect(ev.allowedPorts(pod('dev'), { namespace: 'dev', labels: {} })).toBe(ALL_PORTS);
    expect(ev.allowedPorts(pod('dev'), { namespace: 'prod', labels: {} })).toBe(NO_PORTS);
  });

  it('does not throw on loosely-typed input', () => {
    const loose = [
      policy('prod', 'a', {
        podSelector: {},
        ingress: [
          { from: [{ ipBlock: { cidr: 42 as unknown as string } }, null as unknown as object] },
        ],
      }),
    ];
    const ev = createEvaluator(loose, [
      { name: 'prod', labels: undefined as unknown as Record<string, string> },
    ]);
    expect(
      describePortSet(ev.allowedPorts(ext('1.1.1.1'), { namespace: 'prod', labels: {} })),
    ).toBe('none');
  });
});

describe('effectivePolicyTypes', () => {
  const cases = [
    { name: 'absent, no egress', input: {}, expected: { ingress: true, egress: false } },
    {
      name: 'absent, egress rules',
      input: { egress: [{}] },
      expected: { ingress: true, egress: true },
    },
    {
      name: 'absent, empty egress',
      input: { egress: [] },
      expected: { ingress: true, egress: false },
    },
    {
      name: 'empty list behaves as absent',
      input: { policyTypes: [], egress: [{}] },
      expected: { ingress: true, egress: true },
    },
    {
      name: 'explicit Egress',
      input: { policyTypes: ['Egress' as const], ingress: [{}] },
      expected: { ingress: false, egress: true },
    },
    {
      name: 'explicit both',
      input: { policyTypes: ['Ingress' as const, 'Egress' as const] },
      expected: { ingress: true, egress: true },
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(effectivePolicyTypes(policy('ns', 'p', input))).toEqual(expected);
  });
});

describe('evaluateMatrix', () => {
  it('lists every pair sources-major in the given order, empty sets included', () => {
    const policies = [
      denyAllIngress('prod'),
      allowIngress('prod', 'web', {
        podSelector: { matchLabels: web },
        ingress: [{ ports: [{ port: 443 }] }],
      }),
    ];
    const out = evaluateMatrix(
      policies,
      NAMESPACES,
      [
        { id: 'internet', source: ext('8.8.8.8') },
        { id: 'dev-web', source: pod('dev', web) },
      ],
      [
        { id: 'prod-web', pod: { namespace: 'prod', labels: web } },
        { id: 'prod-db', pod: { namespace: 'prod', labels: db } },
        { id: 'dev-db', pod: { namespace: 'dev', labels: db } },
      ],
    );
    expect(out.map((e) => [e.source, e.destination, describePortSet(e.ports)])).toEqual([
      ['internet', 'prod-web', 'TCP:443'],
      ['internet', 'prod-db', 'none'],
      ['internet', 'dev-db', 'all'],
      ['dev-web', 'prod-web', 'TCP:443'],
      ['dev-web', 'prod-db', 'none'],
      ['dev-web', 'dev-db', 'all'],
    ]);
  });

  it('handles 300 x 300 with many policies quickly', () => {
    const nss = Array.from({ length: 30 }, (_, i) => ({
      name: `ns-${i}`,
      labels: { team: `t${i % 5}` },
    }));
    const policies: NetworkPolicy[] = [];
    for (const ns of nss) {
      policies.push(policy(ns.name, 'deny', { policyTypes: ['Ingress', 'Egress'] }));
      for (let n = 0; n < 10; n++) {
        policies.push(
          policy(ns.name, `net-${n}`, {
            podSelector: { matchLabels: { net: `n${n}` } },
            policyTypes: ['Ingress', 'Egress'],
            ingress: [
              {
                from: [
                  {
                    namespaceSelector: { matchLabels: { team: 't1' } },
                    podSelector: { matchLabels: { net: `n${(n + 1) % 10}` } },
                  },
                ],
                ports: [{ port: 80 + n }],
              },
            ],
            egress: [
              {
                to: [
                  {
                    namespaceSelector: {},
                    podSelector: { matchLabels: { net: `n${(n + 9) % 10}` } },
                  },
                ],
                ports: [{ port: 1, endPort: 1000 }],
              },
            ],
          }),
        );
      }
    }
    const ends = Array.from({ length: 300 }, (_, i) => ({
      namespace: `ns-${i % 30}`,
      labels: { net: `n${i % 10}` },
    }));
    const out = evaluateMatrix(
      policies,
      nss,
      ends.map((p, i) => ({ id: `s${i}`, source: { kind: 'pod' as const, pod: p } })),
      ends.map((p, i) => ({ id: `d${i}`, pod: p })),
    );
    expect(out).toHaveLength(90_000);
    const allowed = out.filter((e) => describePortSet(e.ports) !== 'none');
    expect(allowed.length).toBeGreaterThan(0);
    // Spot-check against the single-pair API.
    const ev = createEvaluator(policies, nss);
    for (const e of out.filter((_, i) => i % 997 === 0)) {
      const s = ends[Number(e.source.slice(1))];
      const d = ends[Number(e.destination.slice(1))];
      expect(describePortSet(ev.allowedPorts({ kind: 'pod', pod: s }, d))).toBe(
        describePortSet(e.ports),
      );
    }
  });
});
