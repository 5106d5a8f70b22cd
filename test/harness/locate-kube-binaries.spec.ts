import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  kubeBinaryCandidates,
  kubeCacheRoot,
  locateKubeBinaries,
  parseEnvFile,
  readKubeVersions,
} from './locate-kube-binaries.js';

const versions = { kubernetes: 'v1.2.3', etcd: 'v3.4.5' };

describe('kubeCacheRoot', () => {
  it('mirrors the fallbacks of tools/kube/build.sh, treating empty values as unset', () => {
    expect(kubeCacheRoot({ GBP_NETPOL_KUBE_CACHE: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe(
      '/c',
    );
    expect(kubeCacheRoot({ GBP_NETPOL_KUBE_CACHE: '', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe(
      '/x/gbp-netpol/kube',
    );
    expect(kubeCacheRoot({ XDG_CACHE_HOME: '', HOME: '/h' })).toBe('/h/.cache/gbp-netpol/kube');
  });
});

describe('kubeBinaryCandidates', () => {
  it('prefers TEST_ASSET_* per binary, then KUBEBUILDER_ASSETS, then the cache', () => {
    const env = { TEST_ASSET_ETCD: '/e/etcd', KUBEBUILDER_ASSETS: '/kb', HOME: '/h' };
    expect(kubeBinaryCandidates(env, versions)).toEqual({
      kubeApiServer: { path: '/kb/kube-apiserver', source: 'KUBEBUILDER_ASSETS' },
      etcd: { path: '/e/etcd', source: 'TEST_ASSET_ETCD' },
    });
    const cached = kubeBinaryCandidates({ HOME: '/h' }, versions);
    expect(cached.kubeApiServer.path).toBe(
      '/h/.cache/gbp-netpol/kube/kubernetes-v1.2.3/kube-apiserver',
    );
    expect(cached.etcd.path).toBe('/h/.cache/gbp-netpol/kube/etcd-v3.4.5/etcd');
  });
});

describe('versions.env', () => {
  it('parses shell assignments and skips comments', () => {
    expect(parseEnvFile('# c\nA=1\n\nexport B="two"\n')).toEqual({ A: '1', B: 'two' });
  });

  it('is readable from the repository', () => {
    expect(readKubeVersions().kubernetes).toMatch(/^v1\.\d+\.\d+$/);
  });
});

describe('locateKubeBinaries', () => {
  let repo: string;
  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'locate-kube-'));
    await mkdir(join(repo, 'tools/kube'), { recursive: true });
    await writeFile(
      join(repo, 'tools/kube/versions.env'),
      'KUBERNETES_VERSION=v1.2.3\nETCD_VERSION=v3.4.5\n',
    );
  });
  afterAll(() => rm(repo, { recursive: true, force: true }));

  it('tells the user to run npm run kube:build when a binary is missing', () => {
    expect(() => locateKubeBinaries({ GBP_NETPOL_KUBE_CACHE: join(repo, 'cache') }, repo)).toThrow(
      /kubernetes-v1\.2\.3\/kube-apiserver[\s\S]*npm run kube:build/,
    );
  });

  it('returns executable binaries from KUBEBUILDER_ASSETS', async () => {
    const assets = join(repo, 'assets');
    await mkdir(assets, { recursive: true });
    for (const name of ['kube-apiserver', 'etcd']) {
      await writeFile(join(assets, name), '#!/bin/sh\n');
      await chmod(join(assets, name), 0o755);
    }
    expect(locateKubeBinaries({ KUBEBUILDER_ASSETS: assets }, repo)).toEqual({
      kubeApiServer: join(assets, 'kube-apiserver'),
      etcd: join(assets, 'etcd'),
      kubernetesVersion: 'v1.2.3',
      etcdVersion: 'v3.4.5',
    });
  });
});
