import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ociImageArchive, type RootfsEntry } from './oci-image.js';

// Test images made on the machine from Debian packages, because no registry is reachable:
// - pause: Debian's busybox-static running `sleep` forever (the pod sandbox);
// - probe: busybox-static (sh, nc, sleep, ...) plus Debian's socat with the libraries it links,
//   because Debian's busybox nc has no UDP mode.
// The names are configuration: a real cluster uses real images with the same tools.

export const DEFAULT_PAUSE_IMAGE = 'gbp-netpol.test/pause:busybox';
export const DEFAULT_PROBE_IMAGE = 'gbp-netpol.test/probe:busybox';

export const BUSYBOX_PATH = '/usr/bin/busybox';
export const SOCAT_PATH = '/usr/bin/socat';

export interface NodeImages {
  pause: string;
  probe: string;
}

function busyboxEntries(busybox: string, applets: readonly string[]): RootfsEntry[] {
  return [
    { kind: 'file', path: 'bin/busybox', content: readFileSync(busybox), mode: 0o755 },
    ...applets
      .filter((a) => a !== 'busybox')
      .map((a): RootfsEntry => ({ kind: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { kind: 'dir', path: 'tmp', mode: 0o1777 },
    { kind: 'dir', path: 'etc' },
    { kind: 'file', path: 'etc/passwd', content: Buffer.from('root:x:0:0:root:/:/bin/sh\n') },
    { kind: 'file', path: 'etc/group', content: Buffer.from('root:x:0:\n') },
  ];
}

/** A dynamically linked binary and every shared object `ldd` lists for it, at the same paths. */
export function binaryWithLibraries(binary: string): RootfsEntry[] {
  const ldd = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libraries = new Set<string>();
  for (const line of ldd.split('\n')) {
    const path = /=>\s+(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
    if (path) libraries.add(path);
  }
  return [binary, ...libraries].map((path): RootfsEntry => ({
    kind: 'file',
    path: path.replace(/^\//, ''),
    content: readFileSync(path),
    mode: 0o755,
  }));
}

/** Writes the two image archives into `dir` and returns their paths. */
export function writeNodeImages(
  dir: string,
  names: NodeImages,
  sources: { busybox?: string; socat?: string } = {},
): { pause: string; probe: string } {
  const busybox = sources.busybox ?? BUSYBOX_PATH;
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => /^[\w.[-]+$/.test(a));
  const pausePath = join(dir, 'pause-image.tar');
  const probePath = join(dir, 'probe-image.tar');
  writeFileSync(
    pausePath,
    ociImageArchive({
      name: names.pause,
      // PID 1 ignores SIGTERM without a handler; the runtime stops sandboxes with SIGKILL.
      entrypoint: ['/bin/sleep', '2147483647'],
      rootfs: busyboxEntries(busybox, ['sleep']),
    }),
  );
  writeFileSync(
    probePath,
    ociImageArchive({
      name: names.probe,
      cmd: ['/bin/sh'],
      env: ['PATH=/bin:/usr/bin'],
      rootfs: [
        ...busyboxEntries(busybox, applets),
        ...binaryWithLibraries(sources.socat ?? SOCAT_PATH),
      ],
    }),
  );
  return { pause: pausePath, probe: probePath };
}
