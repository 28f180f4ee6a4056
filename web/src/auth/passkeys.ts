import {
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { post } from '../api';
import type { SignInResult } from '../session';
import { LocalError } from '../ui/errors';

/** The browser's WebAuthn failures, in words a person can act on. */
function passkeyFailure(error: unknown): Error {
  const name = (error as { name?: string; code?: string } | undefined)?.name;
  const code = (error as { code?: string } | undefined)?.code;
  if (name === 'NotAllowedError' || name === 'AbortError' || code === 'ERROR_CEREMONY_ABORTED')
    return new LocalError('app.passkey.cancelled');
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED')
    return new LocalError('app.passkey.alreadyRegistered');
  if (name === 'NotSupportedError') return new LocalError('app.passkey.unsupported');
  return new LocalError('app.passkey.failed');
}

export async function signInWithPasskey(): Promise<SignInResult> {
  const optionsJSON = await post<PublicKeyCredentialRequestOptionsJSON>('/api/auth/passkey/options');
  const response = await startAuthentication({ optionsJSON }).catch((error: unknown) => {
    throw passkeyFailure(error);
  });
  return post<SignInResult>('/api/auth/passkey/verify', { response });
}

export async function registerPasskey(name: string): Promise<{ id: string }> {
  const optionsJSON = await post<PublicKeyCredentialCreationOptionsJSON>('/api/me/passkeys/options');
  const response = await startRegistration({ optionsJSON }).catch((error: unknown) => {
    throw passkeyFailure(error);
  });
  return post<{ id: string; csrfToken: string }>('/api/me/passkeys', { name, response });
}

export function passkeysSupported(): boolean {
  return typeof window.PublicKeyCredential === 'function';
}
