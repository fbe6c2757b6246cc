// WebAuthn glue for passkeys (issue 15): Lethe's options come as JSON with
// base64url (unpadded) strings where WebAuthn wants bytes, and answers go
// back the same way. Only conversions here: the browser and its
// authenticator make the credential, and the server checks it (libfido2).
import { post, type PortalSession } from './api';

export interface Passkey {
  id: string;
  name: string;
  algorithm: number;
  created_at: string;
  last_used_at: string | null;
}

interface CredentialDescriptorJSON {
  type: 'public-key';
  id: string;
}

interface CreationOptionsJSON {
  challenge: string;
  rp: { id: string; name: string };
  user: { id: string; name: string; displayName: string };
  pubKeyCredParams: { type: 'public-key'; alg: number }[];
  timeout: number;
  excludeCredentials: CredentialDescriptorJSON[];
  authenticatorSelection: AuthenticatorSelectionCriteria;
  attestation: AttestationConveyancePreference;
}

interface RequestOptionsJSON {
  challenge: string;
  rpId: string;
  timeout: number;
  allowCredentials: CredentialDescriptorJSON[];
  userVerification: UserVerificationRequirement;
}

export function toBase64Url(bytes: ArrayBuffer): string {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): ArrayBuffer {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out.buffer;
}

function descriptors(list: CredentialDescriptorJSON[]): PublicKeyCredentialDescriptor[] {
  return list.map((d) => ({ type: d.type, id: fromBase64Url(d.id) }));
}

export function creationOptions(o: CreationOptionsJSON): PublicKeyCredentialCreationOptions {
  return {
    challenge: fromBase64Url(o.challenge),
    rp: o.rp,
    user: { id: fromBase64Url(o.user.id), name: o.user.name, displayName: o.user.displayName },
    pubKeyCredParams: o.pubKeyCredParams,
    timeout: o.timeout,
    excludeCredentials: descriptors(o.excludeCredentials),
    authenticatorSelection: o.authenticatorSelection,
    attestation: o.attestation,
  };
}

export function requestOptions(o: RequestOptionsJSON): PublicKeyCredentialRequestOptions {
  return {
    challenge: fromBase64Url(o.challenge),
    rpId: o.rpId,
    timeout: o.timeout,
    allowCredentials: descriptors(o.allowCredentials),
    userVerification: o.userVerification,
  };
}

// Whether this browser can make and use passkeys at all.
export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && 'PublicKeyCredential' in window && !!navigator.credentials;
}

// Where the signed-in person's passkeys live: the customer's, or a staff
// member's in the staff console (the same routes under /v1/staff/me).
export const CUSTOMER_PASSKEYS = '/v1/me/passkeys';
export const STAFF_PASSKEYS = '/v1/staff/me/passkeys';

// Registers a passkey named `name` for the signed-in person at `base`.
export async function addPasskey(name: string, base = CUSTOMER_PASSKEYS): Promise<Passkey> {
  const options = await post<CreationOptionsJSON>(`${base}/options`);
  const cred = (await navigator.credentials.create({ publicKey: creationOptions(options) })) as PublicKeyCredential | null;
  if (!cred) throw new Error('No passkey was made.');
  const response = cred.response as AuthenticatorAttestationResponse;
  return post<Passkey>(base, {
    name,
    id: toBase64Url(cred.rawId),
    clientDataJSON: toBase64Url(response.clientDataJSON),
    attestationObject: toBase64Url(response.attestationObject),
  });
}

// The fields of an assertion, as POST /v1/portal/passkey-sessions takes them.
export function assertionBody(cred: PublicKeyCredential): Record<string, string> {
  const response = cred.response as AuthenticatorAssertionResponse;
  const body: Record<string, string> = {
    id: toBase64Url(cred.rawId),
    clientDataJSON: toBase64Url(response.clientDataJSON),
    authenticatorData: toBase64Url(response.authenticatorData),
    signature: toBase64Url(response.signature),
  };
  if (response.userHandle) body.userHandle = toBase64Url(response.userHandle);
  return body;
}

// Signs in with a passkey the authenticator offers (discoverable), at
// `route` (a customer's portal session, or the staff console's: T is then
// the staff session's answer).
export async function signInWithPasskey<T = PortalSession>(route = '/v1/portal/passkey-sessions'): Promise<T> {
  const options = await post<RequestOptionsJSON>(`${route}/options`);
  const cred = (await navigator.credentials.get({ publicKey: requestOptions(options) })) as PublicKeyCredential | null;
  if (!cred) throw new Error('No passkey was chosen.');
  return post<T>(route, assertionBody(cred));
}

// A sentence for an error of navigator.credentials (DOMException), or
// undefined for an API error (explain() handles those).
export function explainWebAuthn(error: unknown): string | undefined {
  if (!(error instanceof DOMException)) return error instanceof Error && error.name === 'Error' ? error.message : undefined;
  if (error.name === 'NotAllowedError') return 'The passkey request was cancelled or timed out.';
  if (error.name === 'InvalidStateError') return 'This authenticator holds a passkey for your login already.';
  return `The browser refused the passkey request (${error.name}).`;
}
