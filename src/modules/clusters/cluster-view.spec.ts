import type { ClusterRow } from '../../infra/database/schema.js';
import { CLUSTER_WARNINGS, toClusterView } from './cluster-view.js';

const row = (over: Partial<ClusterRow> = {}): ClusterRow => ({
  id: '00000000-0000-0000-0000-000000000000',
  name: 'c',
  server: 'https://k',
  labels: { env: 'x' },
  credentials: 'v1.sealed',
  insecureSkipTlsVerify: false,
  connection: 'Unknown',
  connectionMessage: null,
  connectionCheckedAt: null,
  serverVersion: null,
  podCidrs: null,
  serviceCidrs: null,
  detectedPodCidrs: null,
  detectedServiceCidrs: null,
  networksDetectedAt: null,
  networksDetectionMessage: null,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-02T00:00:00Z'),
  ...over,
});

describe('toClusterView', () => {
  it('shows the row without credentials', () => {
    const view = toClusterView(row(), { token: 'secret' });
    expect(view).toEqual({
      name: 'c',
      server: 'https://k',
      labels: { env: 'x' },
      insecureSkipTlsVerify: false,
      warnings: [],
      connection: { state: 'Unknown' },
      auth: 'token',
      networks: {
        podCIDRs: null,
        serviceCIDRs: null,
        configured: { podCIDRs: null, serviceCIDRs: null },
        detected: { podCIDRs: null, serviceCIDRs: null, detectedAt: null, message: null },
      },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
    expect(JSON.stringify(view)).not.toContain('secret');
    expect(JSON.stringify(view)).not.toContain('sealed');
  });

  it('warns about disabled TLS verification, http, anonymous access and unreadable credentials', () => {
    const checkedAt = new Date('2026-01-03T00:00:00Z');
    const view = toClusterView(
      row({
        insecureSkipTlsVerify: true,
        server: 'http://k',
        connection: 'Unreachable',
        connectionMessage: 'refused',
        connectionCheckedAt: checkedAt,
        serverVersion: 'v1.37.2',
      }),
      {},
    );
    expect(view.warnings).toEqual([
      CLUSTER_WARNINGS.insecureSkipTlsVerify,
      CLUSTER_WARNINGS.plainHttp,
      CLUSTER_WARNINGS.noCredentials,
    ]);
    expect(view.connection).toEqual({
      state: 'Unreachable',
      message: 'refused',
      checkedAt: checkedAt.toISOString(),
      serverVersion: 'v1.37.2',
    });
    expect(toClusterView(row(), undefined)).toMatchObject({
      auth: 'none',
      warnings: [CLUSTER_WARNINGS.unreadableCredentials],
    });
  });
});

describe('networks of the view', () => {
  it('uses the configured networks over the detected ones, and shows both', () => {
    const view = toClusterView(
      row({
        podCidrs: ['10.244.0.0/16'],
        detectedPodCidrs: ['10.1.0.0/16'],
        detectedServiceCidrs: ['10.96.0.0/12'],
        networksDetectedAt: new Date('2026-01-03T00:00:00Z'),
      }),
      {},
    );
    expect(view.networks).toEqual({
      podCIDRs: ['10.244.0.0/16'],
      serviceCIDRs: ['10.96.0.0/12'],
      configured: { podCIDRs: ['10.244.0.0/16'], serviceCIDRs: null },
      detected: {
        podCIDRs: ['10.1.0.0/16'],
        serviceCIDRs: ['10.96.0.0/12'],
        detectedAt: '2026-01-03T00:00:00.000Z',
        message: null,
      },
    });
  });
});
