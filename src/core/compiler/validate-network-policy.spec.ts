import type { IPBlock, NetworkPolicy } from '../kube/network-policy.types.js';
import { validateNetworkPolicy } from './validate-network-policy.js';

const withBlock = (ipBlock: IPBlock): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'web', namespace: 'mms' },
  spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock }] }] },
});

describe('validateNetworkPolicy: ipBlocks as the API server validates a new object', () => {
  it.each([
    {
      name: 'canonical IPv4 with an except',
      input: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] },
      errors: [],
    },
    {
      name: 'non-canonical IPv6 spelling is accepted',
      input: { cidr: '2001:DB8::/32' },
      errors: [],
    },
    {
      name: 'IPv4-mapped IPv6',
      input: { cidr: '::ffff:10.0.0.0/104' },
      errors: ['spec.ingress[0].from[0].ipBlock.cidr: CIDR_IPV4_MAPPED ::ffff:10.0.0.0/104'],
    },
    {
      name: 'leading zero',
      input: { cidr: '10.0.0.0/8', except: ['010.1.0.0/16'] },
      errors: ['spec.ingress[0].from[0].ipBlock.except[0]: CIDR_LEADING_ZERO 010.1.0.0/16'],
    },
    {
      name: 'host bits (refused since v1.36)',
      input: { cidr: '10.1.2.3/8' },
      errors: ['spec.ingress[0].from[0].ipBlock.cidr: host bits set 10.1.2.3/8'],
    },
    {
      name: 'except not a strict subset',
      input: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] },
      errors: [
        'spec.ingress[0].from[0].ipBlock.except: 10.0.0.0/8 is not a strict subset of 10.0.0.0/8',
      ],
    },
    {
      name: 'not a CIDR',
      input: { cidr: 'fe80::%eth0/64' },
      errors: ['spec.ingress[0].from[0].ipBlock.cidr: INVALID_CIDR fe80::%eth0/64'],
    },
  ])('$name', ({ input, errors }) => {
    expect(validateNetworkPolicy(withBlock(input))).toEqual(errors);
  });
});
