/**
 * Runs inside Chromium: times the shared protocol code as the web app calls it. Timings
 * are taken in the page so no DevTools round trip is counted.
 */
import {
  ARGON2,
  MAX_PAYLOAD_BYTES,
  PayloadType,
  decryptSecret,
  derivePassphraseKey,
  newHeader,
  importRequesterKey,
  openAnswer,
  parseSecretLink,
  prepareRequest,
  prepareSecret,
  sealAnswer,
  unlockSecret,
} from '@burnlink/shared'

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await run()
  return performance.now() - start
}

/** Seal = everything the creator's browser does for a link; open = what the recipient's does after the reveal. */
async function sealAndOpen(): Promise<{ seal: number; open: number }> {
  // The largest text that fits the 64 KiB frame.
  const text = 'x'.repeat(MAX_PAYLOAD_BYTES)
  let prepared: Awaited<ReturnType<typeof prepareSecret>> | undefined
  const seal = await timed(async () => {
    prepared = await prepareSecret({ type: PayloadType.text, text, ttl: 3600, maxViews: 1, origin: location.origin })
  })
  const { k } = parseSecretLink(prepared!.link)
  const open = await timed(async () => {
    const unlocked = await unlockSecret({ k, hdr: prepared!.request.hdr })
    const opened = await decryptSecret(unlocked, prepared!.request.ct)
    if (opened.text.length !== text.length) throw new Error('the opened text differs')
  })
  return { seal, open }
}

function argon2(): Promise<number> {
  return timed(() => derivePassphraseKey('correct horse battery staple', newHeader('x', ARGON2.defaults)))
}

/**
 * A secret request's crypto (protocol.md §12) with a 64 KiB answer: the requester's key pair
 * and note, the responder's ephemeral ECDH and seal, the requester's ECDH and open.
 */
async function requestFlow(): Promise<{ make: number; answer: number; collect: number }> {
  const text = 'x'.repeat(MAX_PAYLOAD_BYTES)
  let prepared: Awaited<ReturnType<typeof prepareRequest>> | undefined
  const make = await timed(async () => {
    prepared = await prepareRequest({ origin: location.origin, ttl: 3600, note: 'a short note' })
  })
  const { rid, Q } = prepared!.key
  let sealed: Awaited<ReturnType<typeof sealAnswer>> | undefined
  const answer = await timed(async () => {
    sealed = await sealAnswer(rid, Q, text)
  })
  const collect = await timed(async () => {
    const opened = await openAnswer(await importRequesterKey(prepared!.key), rid, Q, sealed!.E, sealed!.ans)
    if (opened.length !== text.length) throw new Error('the opened answer differs')
  })
  return { make, answer, collect }
}

Object.assign(globalThis, { burnlinkBench: { sealAndOpen, argon2, requestFlow, secure: () => isSecureContext } })
