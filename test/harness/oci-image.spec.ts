import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ociImageArchive, tarArchive } from './oci-image.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function untar(archive: Buffer): Map<string, Buffer> {
  // A minimal reader for the ustar this module writes (no pax, no GNU extensions).
  const files = new Map<string, Buffer>();
  for (let offset = 0; offset + 512 <= archive.length;) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number): string =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12), 8);
    files.set(name, archive.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

describe('tarArchive', () => {
  it('writes a ustar archive that tar(1) reads, with parents, modes and symlinks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oci-image-spec-'));
    try {
      const longDir = `a/${'d'.repeat(90)}/${'e'.repeat(30)}`;
      writeFileSync(
        join(dir, 'x.tar'),
        tarArchive([
          { kind: 'file', path: 'bin/tool', content: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
          { kind: 'symlink', path: 'bin/sh', target: 'tool' },
          { kind: 'dir', path: 'tmp', mode: 0o1777 },
          { kind: 'file', path: `${longDir}/file.txt`, content: Buffer.from('long') },
        ]),
      );
      const listing = execFileSync('tar', ['-tvf', join(dir, 'x.tar')], { encoding: 'utf8' });
      expect(listing).toMatch(/^drwxr-xr-x .* bin\/$/m);
      expect(listing).toMatch(/^-rwxr-xr-x .* 10 .* bin\/tool$/m);
      expect(listing).toMatch(/^lrwxrwxrwx .* bin\/sh -> tool$/m);
      expect(listing).toMatch(/^drwxrwxrwt .* tmp\/$/m);
      expect(listing).toContain(`${longDir}/file.txt`);
      execFileSync('tar', ['-xf', join(dir, 'x.tar'), '-C', dir]);
      expect(readFileSync(join(dir, longDir, 'file.txt'), 'utf8')).toBe('long');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ociImageArchive', () => {
  const archive = ociImageArchive({
    name: 'example.test/probe:v1',
    entrypoint: ['/bin/sleep', '1'],
    env: ['PATH=/bin'],
    rootfs: [{ kind: 'file', path: 'bin/sleep', content: Buffer.from('not really'), mode: 0o755 }],
  });
  const files = untar(archive);
  const blob = (digest: string): Buffer => {
    const data = files.get(`blobs/sha256/${digest.slice('sha256:'.length)}`);
    if (!data) throw new Error(`missing blob ${digest}`);
    expect(sha(data)).toBe(digest);
    return data;
  };

  it('is an OCI layout whose index names the image for ctr import', () => {
    expect(JSON.parse(files.get('oci-layout')?.toString() ?? '')).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const index = JSON.parse(files.get('index.json')?.toString() ?? '');
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0].annotations).toEqual({
      'io.containerd.image.name': 'example.test/probe:v1',
      'org.opencontainers.image.ref.name': 'v1',
    });
  });

  it('links index, manifest, config and layer by digest, and diff_ids name the uncompressed layer', () => {
    const index = JSON.parse(files.get('index.json')?.toString() ?? '');
    const manifest = JSON.parse(blob(index.manifests[0].digest).toString());
    const config = JSON.parse(blob(manifest.config.digest).toString());
    const layer = blob(manifest.layers[0].digest);
    expect(manifest.layers[0].size).toBe(layer.length);
    expect(config.rootfs.diff_ids).toEqual([sha(gunzipSync(layer))]);
    expect(config.config.Entrypoint).toEqual(['/bin/sleep', '1']);
    expect([...untar(gunzipSync(layer)).keys()]).toEqual(['bin/', 'bin/sleep']);
  });

  it('is reproducible', () => {
    const again = ociImageArchive({
      name: 'example.test/probe:v1',
      entrypoint: ['/bin/sleep', '1'],
      env: ['PATH=/bin'],
      rootfs: [
        { kind: 'file', path: 'bin/sleep', content: Buffer.from('not really'), mode: 0o755 },
      ],
    });
    expect(sha(again)).toBe(sha(archive));
  });
});
