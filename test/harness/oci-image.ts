import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

// Writes OCI image archives (image-layout 1.0.0 in a tar) without a registry or a build tool,
// so that `ctr images import` can load test images on machines that reach no registry.

/** One entry of an image's root filesystem. Directories are implied by the paths of files. */
export type RootfsEntry =
  | { kind: 'file'; path: string; content: Buffer; mode?: number }
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'symlink'; path: string; target: string };

export interface ImageSpec {
  /** Full reference, e.g. `gbp-netpol.test/probe:busybox`. */
  name: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  rootfs: RootfsEntry[];
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function tarHeader(
  path: string,
  type: '0' | '2' | '5',
  size: number,
  mode: number,
  linkName = '',
): Buffer {
  const header = Buffer.alloc(BLOCK);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    // ustar splits long paths at a '/' into a 155-byte prefix and a 100-byte name.
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100)
      throw new Error(`path too long for ustar: ${path}`);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  if (Buffer.byteLength(linkName) > 100) throw new Error(`link target too long: ${linkName}`);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(mode & 0o7777, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii'); // uid
  header.write(octal(0, 8), 116, 'ascii'); // gid
  header.write(octal(size, 12), 124, 'ascii');
  header.write(octal(0, 12), 136, 'ascii'); // mtime: fixed, so the digests are reproducible
  header.write('        ', 148, 'ascii'); // checksum placeholder (spaces) while summing
  header.write(type, 156, 'ascii');
  header.write(linkName, 157, 100, 'utf8');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7) + ' ', 148, 'ascii');
  return header;
}

function padded(content: Buffer): Buffer[] {
  const rest = content.length % BLOCK;
  return rest === 0 ? [content] : [content, Buffer.alloc(BLOCK - rest)];
}

/** A ustar archive of the entries (parents first, as container runtimes expect). */
export function tarArchive(entries: readonly RootfsEntry[]): Buffer {
  const parts: Buffer[] = [];
  const seenDirs = new Set<string>();
  const ensureParents = (path: string): void => {
    const segments = path.split('/').slice(0, -1);
    for (let i = 1; i <= segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      if (dir === '' || seenDirs.has(dir)) continue;
      seenDirs.add(dir);
      parts.push(tarHeader(`${dir}/`, '5', 0, 0o755));
    }
  };
  for (const entry of entries) {
    const path = entry.path.replace(/^\/+/, '');
    ensureParents(path);
    if (entry.kind === 'dir') {
      if (seenDirs.has(path)) continue;
      seenDirs.add(path);
      parts.push(tarHeader(`${path}/`, '5', 0, entry.mode ?? 0o755));
    } else if (entry.kind === 'symlink') {
      parts.push(tarHeader(path, '2', 0, 0o777, entry.target));
    } else {
      parts.push(tarHeader(path, '0', entry.content.length, entry.mode ?? 0o644));
      parts.push(...padded(entry.content));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

const sha256 = (data: Buffer): string =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

interface Blob {
  digest: string;
  data: Buffer;
}

const blob = (data: Buffer): Blob => ({ digest: sha256(data), data });
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

/**
 * An OCI image archive (oci-layout, index.json, blobs/sha256/…) holding one linux/amd64 image
 * with a single gzip layer. The index names the image with both annotations `ctr images import`
 * reads (`io.containerd.image.name` and `org.opencontainers.image.ref.name`).
 */
export function ociImageArchive(spec: ImageSpec, architecture = 'amd64'): Buffer {
  const layerTar = tarArchive(spec.rootfs);
  // Level 1: these archives live for one test run; speed matters more than size.
  const layer = blob(gzipSync(layerTar, { level: 1 }));
  const config = blob(
    json({
      architecture,
      os: 'linux',
      config: {
        Env: spec.env ?? ['PATH=/bin'],
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
      history: [{ created_by: 'gbp-netpol test harness (test/harness/oci-image.ts)' }],
    }),
  );
  const manifest = blob(
    json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: config.digest,
        size: config.data.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: layer.digest,
          size: layer.data.length,
        },
      ],
    }),
  );
  const tag = spec.name.slice(spec.name.lastIndexOf(':') + 1);
  const index = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifest.digest,
        size: manifest.data.length,
        platform: { architecture, os: 'linux' },
        annotations: {
          'io.containerd.image.name': spec.name,
          'org.opencontainers.image.ref.name': tag,
        },
      },
    ],
  });
  const entries: RootfsEntry[] = [
    { kind: 'file', path: 'oci-layout', content: json({ imageLayoutVersion: '1.0.0' }) },
    { kind: 'file', path: 'index.json', content: index },
    ...[layer, config, manifest].map((b): RootfsEntry => ({
      kind: 'file',
      path: `blobs/sha256/${b.digest.slice('sha256:'.length)}`,
      content: b.data,
    })),
  ];
  return tarArchive(entries);
}
