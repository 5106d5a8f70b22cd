import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { ADMIN_GROUP, ADMIN_USER, generateClusterPki } from './cluster-pki.js';
import { der, keyUsageBitString } from './x509.js';

describe('DER encoding', () => {
  it('encodes OIDs with multi-byte arcs', () => {
    // 1.2.840.10045.4.3.2 (ecdsa-with-SHA256), a well-known encoding.
    expect(der.oid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
  });

  it('encodes long lengths and keeps positive integers positive', () => {
    expect(der.octetString(Buffer.alloc(200)).subarray(0, 3).toString('hex')).toBe('0481c8');
    expect(der.unsignedInteger(Buffer.from([0x80])).toString('hex')).toBe('02020080');
    expect(der.unsignedInteger(Buffer.from([0, 0, 5])).toString('hex')).toBe('020105');
  });

  it('declares the unused trailing bits of a KeyUsage bit string', () => {
    // digitalSignature + keyCertSign + cRLSign = 1000 0110: one unused bit.
    expect(keyUsageBitString([0, 5, 6]).toString('hex')).toBe('03020186');
    // digitalSignature + keyEncipherment = 1010 0000: five unused bits.
    expect(keyUsageBitString([0, 2]).toString('hex')).toBe('030205a0');
  });
});

describe('generateClusterPki', () => {
  const pki = generateClusterPki('unit');
  const ca = new X509Certificate(pki.caCertPem);
  const serving = new X509Certificate(pki.servingCertPem);
  const admin = new X509Certificate(pki.adminCertPem);

  it('issues a CA and leaves signed by it', () => {
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(serving.ca).toBe(false);
    expect(serving.checkIssued(ca)).toBe(true);
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(admin.verify(ca.publicKey)).toBe(true);
  });

  it('makes the serving certificate valid for 127.0.0.1 and localhost only', () => {
    expect(serving.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(serving.checkHost('localhost')).toBe('localhost');
    expect(serving.checkHost('example.com')).toBeUndefined();
    expect(serving.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('puts the admin user in CN and its group in O', () => {
    expect(admin.subject).toContain(`CN=${ADMIN_USER}`);
    expect(admin.subject).toContain(`O=${ADMIN_GROUP}`);
    expect(admin.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('completes a mutual TLS handshake with the generated material', async () => {
    const server = createServer({
      cert: pki.servingCertPem,
      key: pki.servingKeyPem,
      ca: pki.caCertPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const peers: string[] = [];
    server.on('secureConnection', (socket: TLSSocket) => {
      peers.push(String(socket.getPeerCertificate().subject.CN));
      socket.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const socket = connect({
        host: '127.0.0.1',
        port,
        ca: pki.caCertPem,
        cert: pki.adminCertPem,
        key: pki.adminKeyPem,
      });
      await once(socket, 'secureConnect');
      expect(socket.authorized).toBe(true);
      const [data] = (await once(socket, 'data')) as [Buffer];
      expect(data.toString()).toBe('ok');
      socket.destroy();
      expect(peers).toEqual([ADMIN_USER]);
    } finally {
      server.close();
    }
  });
});
