import { describe, expect, it } from 'vitest'
import {
  ApiError,
  concatBytes,
  decryptSecret,
  encodeB64u,
  encodeHeader,
  newSigningKey,
  parseSecretLink,
  PayloadType,
  prepareSecret,
  ProtocolError,
  RevealInDoubtError,
  seal,
  signContent,
  unlockSecret,
} from '@burnlink/shared'
import { revealFailure, type RevealContext } from './reveal-failure.ts'

const context: RevealContext = { doubtSince: 1_000_000, claimRetrySeconds: 300, hadDoubt: false }
const unavailable = new ApiError(503, 'unavailable', 'storage down')

/** What decrypting a released redirect secret whose target is `url` throws. */
async function openedRedirect(url: string): Promise<unknown> {
  const prepared = await prepareSecret({
    type: PayloadType.text,
    text: 'x',
    ttl: 60,
    maxViews: 1,
    origin: 'https://b.example',
  })
  const unlocked = await unlockSecret({ k: parseSecretLink(prepared.link).k, hdr: prepared.request.hdr })
  // As if the creator's client had let the target through: signed, so only the redirect check refuses it.
  const signer = await newSigningKey()
  const hdrs = encodeHeader({ kdf: 'none', pk: signer.pk })
  const ct = await seal(unlocked.cek, unlocked.sidBytes, hdrs, PayloadType.redirect, url)
  const hdrBytes = concatBytes(hdrs, await signContent(signer.sk, unlocked.sidBytes, hdrs, ct))
  return decryptSecret({ ...unlocked, hdrBytes }, encodeB64u(ct)).then(
    () => 'accepted',
    (e: unknown) => e,
  )
}

describe('revealFailure', () => {
  it('offers a retry until the flow says, when the flow gave up on a server that did not answer', () => {
    const e = new RevealInDoubtError(1_300_000, { cause: unavailable })
    expect(revealFailure(e, context)).toEqual({ kind: 'in_doubt', retryUntil: 1_300_000 })
  })

  it.each([
    ['a 500', new ApiError(500, 'internal', 'the server answered with status 500')],
    ['a 200 that is not a reveal', new ApiError(200, 'internal', 'the server sent an unexpected answer')],
  ])('treats %s as in doubt too, for the claim window from the first try', (_, e) => {
    expect(revealFailure(e, context)).toEqual({ kind: 'in_doubt', retryUntil: 1_300_000 })
  })

  it('asks for the passphrase again while attempts are left, and says when this attempt burned it', () => {
    expect(revealFailure(new ApiError(401, 'wrong_passphrase', 'wrong', undefined, 3), context)).toEqual({
      kind: 'wrong_passphrase',
      attemptsLeft: 3,
    })
    expect(revealFailure(new ApiError(401, 'wrong_passphrase', 'wrong', 'burned', 0), context)).toEqual({
      kind: 'problem',
      problem: 'burned_by_attempts',
    })
  })

  it('does not blame someone else for a view an unanswered attempt on this page may have used', () => {
    const viewed = new ApiError(410, 'gone', 'gone', 'viewed')
    expect(revealFailure(viewed, context)).toEqual({ kind: 'problem', problem: 'viewed' })
    expect(revealFailure(viewed, { ...context, hadDoubt: true })).toEqual({
      kind: 'problem',
      problem: 'viewed_after_doubt',
    })
  })

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['credentials', 'https://user:pw@example.com/'],
    ['plain http', 'http://example.com/'],
    ['too long', `https://example.com/${'a'.repeat(2048)}`],
  ])('tells a refused redirect target (%s) from a secret that does not decrypt', async (_, url) => {
    const refused = await openedRedirect(url)
    expect(refused).toBeInstanceOf(ProtocolError)
    expect(revealFailure(refused, context)).toEqual({ kind: 'problem', problem: 'redirect_refused' })
    expect(revealFailure(new ProtocolError('auth', 'decryption failed'), context)).toEqual({
      kind: 'problem',
      problem: 'damaged',
    })
  })
  it("says that content another link holder put under the link is not the creator's", async () => {
    const prepared = await prepareSecret({
      type: PayloadType.text,
      text: 'x',
      ttl: 60,
      maxViews: 1,
      origin: 'https://b.example',
    })
    const unlocked = await unlockSecret({ k: parseSecretLink(prepared.link).k, hdr: prepared.request.hdr })
    // Sealed under the link's own cek, which every holder can derive, but not signed by the creator.
    const ct = await seal(unlocked.cek, unlocked.sidBytes, unlocked.hdrBytes.subarray(0, -64), PayloadType.text, 'y')
    const refused = await decryptSecret(unlocked, encodeB64u(ct)).catch((e: unknown) => e)
    expect(revealFailure(refused, context)).toEqual({ kind: 'problem', problem: 'not_from_creator' })
  })
})
