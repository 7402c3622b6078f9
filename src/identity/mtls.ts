import { X509Certificate } from 'node:crypto';
import { TollgateError } from '../core/errors.js';
import type { Authenticator } from '../core/pipeline-ports.js';
import type { AuthzRequest, Principal, WorkloadIdentity } from '../core/types.js';
import { principalId } from './principal-id.js';
import { isSpiffeUri, parseSpiffeId } from './spiffe.js';
import type { TrustedProxies } from '../common/trusted-proxies.js';
import { parseXfcc, type XfccElement } from './xfcc.js';

const XFCC_HEADER = 'x-forwarded-client-cert';

export interface MtlsOptions {
  trustedProxies: TrustedProxies;
  /** SPIFFE ID -> model globs granted to that workload. */
  models: Readonly<Record<string, readonly string[]>>;
}

/**
 * Workload identity from mutual TLS: the peer principal Envoy verified (gRPC check request), or the
 * x-forwarded-client-cert header, believed only from a trusted proxy. From anyone else the header
 * is ignored here, and the pipeline then refuses it as a credential nobody accepts.
 */
export class MtlsAuthenticator implements Authenticator {
  readonly name = 'mtls';
  readonly credentialHeaders = [XFCC_HEADER] as const;

  constructor(private readonly options: MtlsOptions) {}

  authenticate(req: AuthzRequest): Principal | null {
    if (req.source.principal) return this.workload(req.source.principal, 'envoy_peer');
    const header = req.headers[XFCC_HEADER];
    if (header === undefined || !this.options.trustedProxies.isTrusted(req.transportPeer)) return null;
    // Each proxy appends its element; only the last was written by the trusted proxy itself.
    const element = parseXfcc(header).at(-1) as XfccElement;
    return this.workload(clientIdentity(element), 'xfcc');
  }

  private workload(id: string, source: WorkloadIdentity['source']): Principal {
    let workload: WorkloadIdentity = { source };
    if (isSpiffeUri(id)) {
      const spiffe = parseSpiffeId(id);
      workload = { spiffeId: spiffe.id, trustDomain: spiffe.trustDomain, path: spiffe.path, source };
    }
    return { kind: 'mtls', id: principalId('mtls', id), subject: id, scopes: [], models: [...(this.options.models[id] ?? [])], groups: [], workload };
  }
}

/** The client's name in one XFCC element: its SPIFFE URI SAN, else its subject DN, else its first DNS SAN. */
function clientIdentity(element: XfccElement): string {
  const uris = element.uri.length > 0 ? element.uri : certificateUris(element.cert);
  const spiffe = uris.filter(isSpiffeUri);
  // An SVID carries exactly one SPIFFE ID; several would make the identity ambiguous.
  if (spiffe.length > 1) throw new TollgateError('ERR_SPIFFE_ID_INVALID', 'client certificate has more than one SPIFFE ID');
  const id = spiffe[0] ?? element.subject ?? element.dns[0] ?? uris[0];
  if (!id) throw new TollgateError('ERR_XFCC_MALFORMED', 'x-forwarded-client-cert: no client identity (URI, Subject or DNS)');
  return id;
}

/** URI SANs of the forwarded certificate, for proxies that send Cert= without URI=. */
function certificateUris(cert: string | undefined): string[] {
  if (!cert) return [];
  let san: string | undefined;
  try {
    san = new X509Certificate(decodeURIComponent(cert)).subjectAltName;
  } catch {
    throw new TollgateError('ERR_XFCC_MALFORMED', 'x-forwarded-client-cert: Cert is not a URL-encoded PEM certificate');
  }
  return (san ?? '').split(', ').filter((s) => s.startsWith('URI:')).map((s) => s.slice(4));
}
