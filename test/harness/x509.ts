import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';

// Node can generate keys and parse certificates but cannot issue them, so this module encodes
// just enough DER (RFC 5280) to issue ECDSA P-256 certificates for a throw-away test cluster.

/** A DER-encoded ASN.1 element. */
type Der = Buffer;

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function derElement(tag: number, content: Buffer): Der {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

export const der = {
  sequence: (...items: Der[]): Der => derElement(0x30, Buffer.concat(items)),
  set: (...items: Der[]): Der => derElement(0x31, Buffer.concat(items)),
  boolean: (value: boolean): Der => derElement(0x01, Buffer.from([value ? 0xff : 0x00])),
  /** A non-negative INTEGER from big-endian bytes. */
  unsignedInteger(bytes: Buffer): Der {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.subarray(start);
    const content = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
    return derElement(0x02, content.length === 0 ? Buffer.from([0]) : content);
  },
  small: (value: number): Der => der.unsignedInteger(Buffer.from([value])),
  bitString: (bytes: Buffer, unusedBits = 0): Der =>
    derElement(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes])),
  octetString: (bytes: Buffer): Der => derElement(0x04, bytes),
  utf8String: (value: string): Der => derElement(0x0c, Buffer.from(value, 'utf8')),
  oid(dotted: string): Der {
    const parts = dotted.split('.').map(Number);
    const [first = 0, second = 0, ...rest] = parts;
    const bytes: number[] = [first * 40 + second];
    for (const part of rest) {
      const chunk: number[] = [part & 0x7f];
      for (let value = Math.floor(part / 128); value > 0; value = Math.floor(value / 128)) {
        chunk.unshift((value & 0x7f) | 0x80);
      }
      bytes.push(...chunk);
    }
    return derElement(0x06, Buffer.from(bytes));
  },
  time(date: Date): Der {
    const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
    // RFC 5280 4.1.2.5: UTCTime up to 2049, GeneralizedTime from 2050 on.
    return date.getUTCFullYear() < 2050
      ? derElement(0x17, Buffer.from(iso.slice(2), 'ascii'))
      : derElement(0x18, Buffer.from(iso, 'ascii'));
  },
  explicit: (tagNumber: number, inner: Der): Der => derElement(0xa0 | tagNumber, inner),
};

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** KeyUsage bits, numbered as in RFC 5280 4.2.1.3 (bit 0 is the most significant bit). */
export const KeyUsage = {
  digitalSignature: 0,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

export function keyUsageBitString(bits: readonly number[]): Der {
  const value = bits.reduce((acc, bit) => acc | (0x80 >> bit), 0);
  // DER wants the trailing zero bits of the last byte declared as unused.
  let unused = 0;
  while (unused < 7 && (value & (1 << unused)) === 0) unused++;
  return der.bitString(Buffer.from([value]), unused);
}

export interface DistinguishedName {
  commonName: string;
  organizations?: readonly string[];
}

function encodeName(name: DistinguishedName): Der {
  const rdns = (name.organizations ?? []).map((o) =>
    der.set(der.sequence(der.oid(OID.organization), der.utf8String(o))),
  );
  rdns.push(der.set(der.sequence(der.oid(OID.commonName), der.utf8String(name.commonName))));
  return der.sequence(...rdns);
}

function extension(oid: string, critical: boolean, value: Der): Der {
  return critical
    ? der.sequence(der.oid(oid), der.boolean(true), der.octetString(value))
    : der.sequence(der.oid(oid), der.octetString(value));
}

function encodeAltNames(dnsNames: readonly string[], ips: readonly string[]): Der {
  const dns = dnsNames.map((n) => derElement(0x82, Buffer.from(n, 'ascii')));
  const ipEntries = ips.map((ip) => {
    if (!isIPv4(ip)) throw new Error(`only IPv4 SANs are supported, got ${ip}`);
    return derElement(0x87, Buffer.from(ip.split('.').map(Number)));
  });
  return der.sequence(...dns, ...ipEntries);
}

/** SHA-1 of the subjectPublicKey bits, the usual (RFC 5280 4.2.1.2 method 1) key identifier. */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // For P-256 the SPKI is a fixed 26-byte header followed by the 65-byte uncompressed point.
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
}

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateEcKeyPair(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

export interface CertificateRequest {
  subject: DistinguishedName;
  publicKey: KeyObject;
  /** The issuer; omit for a self-signed CA (then `signingKey` is the subject's own key). */
  issuer?: { subject: DistinguishedName; publicKey: KeyObject };
  signingKey: KeyObject;
  isCa: boolean;
  extendedKeyUsages?: readonly ('serverAuth' | 'clientAuth')[];
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  validForDays?: number;
  now?: Date;
}

/** Issues an X.509 v3 certificate signed with ECDSA-SHA256 and returns it as PEM. */
export function issueCertificate(req: CertificateRequest): string {
  const now = req.now ?? new Date();
  // Back-date by an hour so small clock differences never make the certificate "not yet valid".
  const notBefore = new Date(now.getTime() - 3_600_000);
  const notAfter = new Date(now.getTime() + (req.validForDays ?? 365) * 86_400_000);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const signatureAlgorithm = der.sequence(der.oid(OID.ecdsaWithSha256));
  const issuerName = req.issuer?.subject ?? req.subject;
  const issuerKey = req.issuer?.publicKey ?? req.publicKey;

  const extensions: Der[] = [
    extension(
      OID.basicConstraints,
      true,
      req.isCa ? der.sequence(der.boolean(true)) : der.sequence(),
    ),
    extension(
      OID.keyUsage,
      true,
      keyUsageBitString(
        req.isCa
          ? [KeyUsage.digitalSignature, KeyUsage.keyCertSign, KeyUsage.cRLSign]
          : [KeyUsage.digitalSignature, KeyUsage.keyEncipherment],
      ),
    ),
    extension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(req.publicKey))),
  ];
  if (req.issuer) {
    extensions.push(
      extension(
        OID.authorityKeyIdentifier,
        false,
        der.sequence(derElement(0x80, keyIdentifier(issuerKey))),
      ),
    );
  }
  if (req.extendedKeyUsages?.length) {
    extensions.push(
      extension(
        OID.extKeyUsage,
        false,
        der.sequence(...req.extendedKeyUsages.map((u) => der.oid(OID[u]))),
      ),
    );
  }
  if (req.dnsNames?.length || req.ipAddresses?.length) {
    extensions.push(
      extension(
        OID.subjectAltName,
        false,
        encodeAltNames(req.dnsNames ?? [], req.ipAddresses ?? []),
      ),
    );
  }

  const tbs = der.sequence(
    der.explicit(0, der.small(2)),
    der.unsignedInteger(serial),
    signatureAlgorithm,
    encodeName(issuerName),
    der.sequence(der.time(notBefore), der.time(notAfter)),
    encodeName(req.subject),
    req.publicKey.export({ type: 'spki', format: 'der' }),
    der.explicit(3, der.sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, { key: req.signingKey, dsaEncoding: 'der' });
  return toPem('CERTIFICATE', der.sequence(tbs, signatureAlgorithm, der.bitString(signature)));
}

export function toPem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}
