/**
 * Secrets made and read over HTTP the way a browser does, for tests that run the server
 * as a process: create one, then reveal it with the body a recipient would send.
 */
import { decryptSecret, unlockSecret, type UnlockedSecret } from '@burnlink/shared'
import { newSeed } from './seeds.ts'

export interface HttpReply {
  status: number
  body: Record<string, unknown>
}

export interface HttpSecret {
  text: string
  /** Everything POST /secrets/reveal needs. */
  revealBody: { sid: string; acc: string; rev: string }
  unlocked: UnlockedSecret
}

/** POST `body` to `/api/v1/secrets<path>` on `baseUrl`. */
export async function postSecrets(baseUrl: string, path: string, body: unknown): Promise<HttpReply> {
  const res = await fetch(`${baseUrl}/api/v1/secrets${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** Creates a secret on `baseUrl`; throws unless the server answers 201. */
export async function createSecretOver(baseUrl: string, maxViews = 1): Promise<HttpSecret> {
  const { text, prepared, k, access } = await newSeed({ text: `secret ${Math.random()}`, maxViews, ttl: 600 })
  const created = await postSecrets(baseUrl, '', prepared.request)
  if (created.status !== 201) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`)
  const unlocked = await unlockSecret({ k, hdr: prepared.request.hdr })
  return { text, revealBody: { ...access, rev: unlocked.rev }, unlocked }
}

/** Reveals `secret` on `baseUrl`; a 200 must carry the very plaintext that was sealed. */
export async function revealOver(baseUrl: string, secret: HttpSecret): Promise<HttpReply> {
  const reply = await postSecrets(baseUrl, '/reveal', secret.revealBody)
  if (reply.status === 200 && (await decryptSecret(secret.unlocked, String(reply.body.ct))).text !== secret.text) {
    throw new Error('revealed a ciphertext that does not open to the secret')
  }
  return reply
}
