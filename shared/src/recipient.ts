/**
 * The recipient's flow, from the link key to the plaintext, for the web app and the CLI
 * alike: derive sid and acc, ask `meta`, unlock (Argon2id when the header asks, then rev
 * and cek), reveal, decrypt and re-check a redirect target. Each value is derived once, and
 * the link key stays inside: requests only ever carry sid, acc and rev.
 *
 * Only the unlock step is heavy (Argon2id takes 64 MiB and about a second), so only it is
 * injectable: the web app runs `unlockKeys` in a short-lived Web Worker and keeps the rest on
 * the page. Its input and output are structured-cloneable (a non-extractable CryptoKey is
 * too), and the worker can be terminated as soon as the step ends, handing the memory back.
 * The rest stays on the caller's thread because it spans a person's decisions (meta on
 * load, the prompt, wrong-passphrase retries, a burn), and its errors keep their ApiError
 * state and attempts left instead of being flattened to cross a thread boundary.
 */
import { decodeB64u, encodeB64u } from './base64url.ts'
import { isRetryable, withRetries } from './client.ts'
import type { Client, RetryOptions } from './client.ts'
import { notFromCreator, open } from './envelope.ts'
import { ApiError, ProtocolError, RevealInDoubtError } from './errors.ts'
import { parseHeader } from './header.ts'
import type { Header } from './header.ts'
import type { ChunkContext } from './chunks.ts'
import { parseManifest } from './files.ts'
import { verifyFiles } from './files-signature.ts'
import type { AttachmentManifest } from './files.ts'
import { deriveAccess, deriveFileKey, derivePassphraseKey, deriveReveal, publicKeyHash, splitLinkKey } from './keys.ts'
import { CLAIM_BYTES, CLAIM_RETRY, PayloadType } from './limits.ts'
import type { FilesSummary, MetaRequest } from './schemas.ts'
import { validateRedirectUrl } from './redirect.ts'
import type { RedirectPolicy } from './redirect.ts'
import { randomBytes } from './webcrypto.ts'

/** What the unlock step needs; structured-cloneable, so it can be posted to a worker. */
export interface UnlockInput {
  k: Uint8Array
  sid: Uint8Array
  header: Header
  /** Required when the header has a KDF. */
  passphrase?: string
}

/** What the unlock step gives back: `rev` for the reveal request, `cek` for decryption, `fk` for file chunks. */
export interface RevealKeys {
  rev: string
  /** Non-extractable: it never exists as bytes, and structured cloning keeps it so. */
  cek: CryptoKey
  /** The chunk key of a file secret (protocol.md §10.3); made here because P exists only in this step. */
  fk: CryptoKey
}

/**
 * Refuses a header the link's creator did not make (protocol.md §5.1): a format 2 link takes
 * only a format 2 header whose public key hashes to the link's `pkh` (its signature over ct
 * is checked when ct arrives, by `open`); a format 1 link takes only a format 1 header. Runs
 * at meta, so a secret re-created under someone else's key is refused before a view is spent.
 */
export async function checkSigner(key: Uint8Array, header: Header): Promise<void> {
  const { pkh } = splitLinkKey(key)
  if (!pkh) {
    if (header.pk) throw new ProtocolError('header', 'a version 1 link cannot open a version 2 secret')
    return
  }
  const got = header.pk && (await publicKeyHash(header.pk))
  if (!got || got.some((b, i) => b !== pkh[i])) throw notFromCreator()
}

/** The unlock step: Argon2id with the header's (already bound-checked) costs when it has a KDF, then rev and cek. */
export async function unlockKeys({ k, sid, header, passphrase }: UnlockInput): Promise<RevealKeys> {
  if (header.kdf !== 'none' && passphrase === undefined) throw new TypeError('this secret needs a passphrase')
  const P = await derivePassphraseKey(passphrase ?? '', header)
  const [{ rev, cek }, fk] = await Promise.all([deriveReveal(k, P, sid), deriveFileKey(k, P, sid)])
  return { rev: encodeB64u(rev), cek, fk }
}

export interface UnlockedSecret extends RevealKeys {
  sidBytes: Uint8Array
  hdrBytes: Uint8Array
}

/** Opens the `ct` a reveal returned; a redirect target is re-validated before anyone navigates to it. */
export async function decryptSecret(
  unlocked: Pick<UnlockedSecret, 'cek' | 'sidBytes' | 'hdrBytes'>,
  ct: string,
  policy: RedirectPolicy = {},
): Promise<{ type: PayloadType; text: string }> {
  const opened = await open(unlocked.cek, unlocked.sidBytes, unlocked.hdrBytes, decodeB64u(ct))
  if (opened.type !== PayloadType.redirect) return opened
  return { type: opened.type, text: validateRedirectUrl(opened.text, policy) }
}

async function accessOf(k: Uint8Array): Promise<{ sid: Uint8Array; access: MetaRequest }> {
  const { sid, acc } = await deriveAccess(k)
  return { sid, access: { sid: encodeB64u(sid), acc: encodeB64u(acc) } }
}

/** The API calls a recipient makes; the shared client provides them. */
export type RecipientApi = Pick<Client, 'meta' | 'reveal' | 'ack' | 'burn'>

export interface RecipientOptions {
  api: RecipientApi
  /** Runs the unlock step elsewhere, e.g. `unlockKeys` in a Web Worker; `unlockKeys` here by default. */
  unlockKeys?: (input: UnlockInput) => Promise<RevealKeys>
  /** The server's `claimRetrySeconds` (GET /api/v1/config); the stock value by default. */
  claimRetrySeconds?: number
  /** How meta and reveal retry after a 503 or no answer; `withRetries`' defaults (about 30 s) by default. */
  retry?: RetryOptions
  /**
   * How meta retries, when it should differ from reveal: a page can rather show its error
   * and a Try again button soon, since meta uses nothing up. `retry` by default.
   */
  metaRetry?: RetryOptions
}

/** What `meta` shows before anything is used up. */
export interface WaitingSecret {
  viewsLeft: number
  expiresAt: string
  needsPassphrase: boolean
  /** On a file secret: how many files, and their padded bytes. */
  files?: FilesSummary
}

/**
 * The files of a revealed file secret (protocol.md §10), readable with this recipient's
 * claim until the download window closes; file-receive.ts reads and decrypts them.
 */
export interface RevealedFiles {
  manifest: AttachmentManifest
  ctx: ChunkContext
  /** The claim a chunk read carries, with sid and acc. */
  claimed: { sid: string; acc: string; claim: string }
  /** Acknowledges, closing the claim: call once the last file is decrypted or given up on. */
  finish(): Promise<boolean>
}

export interface RevealedSecret {
  type: PayloadType
  /** For a file secret: the manifest's JSON text, parsed in `files`. */
  text: string
  viewsLeft: number
  /**
   * Settles once the acknowledgement is done (true) or has failed (false, harmless: the
   * server then drops the ciphertext when the retry window ends). Nobody has to wait for it.
   * For a file secret that is after `files.finish()`: the chunks are read with the claim.
   */
  acked: Promise<boolean>
  /** Present for a file secret (type attachment). */
  files?: RevealedFiles
}

export interface Recipient {
  /** Asks `meta`, which consumes nothing; the header is bound-checked here, once. Repeatable. */
  meta(): Promise<WaitingSecret>
  /** Derives rev and cek for this passphrase (none when the secret has none). Needs `meta` first. */
  unlock(passphrase?: string): Promise<void>
  /**
   * Uses one view and decrypts it, then acknowledges it. Every reveal carries this
   * recipient's claim, so a reveal that met 503 or no answer is retried as it is (with
   * backoff, about 30 s) without risk of using a second view, and when it gives up it throws
   * RevealInDoubtError: calling reveal() again retries with the same claim. On
   * `wrong_passphrase` the keys are dropped, so a retry must `unlock` again rather than
   * spend another attempt on the same keys; on any other failure they are kept, so a retry
   * does not run Argon2id again. Once the server has released the secret, the link key is
   * dropped: nothing here can reveal it again.
   */
  reveal(policy?: RedirectPolicy): Promise<RevealedSecret>
  /** Ends the secret for everyone (burn with `acc`); one already gone counts as done. */
  burn(): Promise<void>
}

/** Starts a recipient's flow for the link key `k` (from parseSecretLink or parseSecretFragment). */
export async function createRecipient(k: Uint8Array, options: RecipientOptions): Promise<Recipient> {
  const {
    api,
    unlockKeys: unlock = unlockKeys,
    claimRetrySeconds = CLAIM_RETRY.defaultSeconds,
    retry,
    metaRetry = retry,
  } = options
  const { sid, access } = await accessOf(k)
  // One claim for this recipient's life (a page, a CLI run): every try of its reveal is the same request.
  const claim = encodeB64u(randomBytes(CLAIM_BYTES))
  let key: Uint8Array | undefined = k
  let shown: { header: Header; hdrBytes: Uint8Array } | undefined
  let keys: RevealKeys | undefined
  /** When a reveal began whose outcome is unknown: the earliest the server can have released to the claim. */
  let inDoubtSince: number | undefined

  return {
    async meta() {
      const { hdr, viewsLeft, expiresAt, files } = await withRetries(() => api.meta(access), metaRetry)
      const hdrBytes = decodeB64u(hdr)
      const header = parseHeader(hdrBytes)
      await checkSigner(k, header)
      shown = { header, hdrBytes }
      // Keys made for a previous header would not match this one.
      keys = undefined
      return { viewsLeft, expiresAt, needsPassphrase: shown.header.kdf !== 'none', ...(files && { files }) }
    },

    async unlock(passphrase) {
      if (!key) throw new TypeError('this secret was already revealed')
      if (!shown) throw new TypeError('call meta() first: the header comes from it')
      keys = undefined
      keys = await unlock({ k: key, sid, header: shown.header, passphrase })
    },

    async reveal(policy) {
      if (!keys || !shown) throw new TypeError('call unlock() first')
      const used = keys
      inDoubtSince ??= Date.now()
      let released
      try {
        released = await withRetries(() => api.reveal({ ...access, rev: used.rev, claim }), retry)
      } catch (e) {
        if (isRetryable(e)) {
          throw new RevealInDoubtError(inDoubtSince + claimRetrySeconds * 1000, { cause: e as ApiError })
        }
        // A definite answer: whatever an earlier try released, this claim would have been given it.
        inDoubtSince = undefined
        if (e instanceof ApiError && e.code === 'wrong_passphrase') keys = undefined
        throw e
      }
      // Released means used up: neither the key nor the reveal token has a further purpose.
      key = undefined
      keys = undefined
      inDoubtSince = undefined
      const content = await decryptSecret({ cek: used.cek, sidBytes: sid, ...shown }, released.ct, policy)
      let acking: Promise<boolean> | undefined
      const ack = () =>
        (acking ??= api.ack({ ...access, claim }).then(
          () => true,
          () => false,
        ))
      // Decrypted: the server may forget the claim and, on a last view, the ciphertext now.
      if (content.type !== PayloadType.attachment) return { ...content, viewsLeft: released.viewsLeft, acked: ack() }
      // A file secret's claim stays open until its files are read.
      const manifest = parseManifest(content.text)
      // Format 2: the creator signed the files at the commit; checked before any chunk is read (§10.7).
      const fsig = released.fsig === undefined ? undefined : decodeB64u(released.fsig)
      const digests = splitLinkKey(k).pkh
        ? await verifyFiles(sid, shown.hdrBytes, fsig, manifest.files.length)
        : undefined
      let settle: (done: boolean) => void = () => undefined
      const acked = new Promise<boolean>((resolve) => (settle = resolve))
      const files: RevealedFiles = {
        manifest,
        ctx: {
          fk: used.fk,
          sid,
          hdr: shown.hdrBytes,
          sizes: manifest.files.map((f) => f.size),
          ...(digests && { digests }),
        },
        claimed: { ...access, claim },
        finish: () => ack().then((done) => (settle(done), done)),
      }
      return { ...content, viewsLeft: released.viewsLeft, acked, files }
    },

    async burn() {
      try {
        await api.burn(access)
      } catch (e) {
        // 410: the last view was used or it expired meanwhile; it is over either way.
        if (!(e instanceof ApiError && e.code === 'gone')) throw e
      }
    },
  }
}

/**
 * For callers that build requests by hand (tests, tools): the body of `meta`, and of a
 * recipient's `burn`. A recipient uses `createRecipient`.
 */
export async function openSecretLink(k: Uint8Array): Promise<MetaRequest> {
  return (await accessOf(k)).access
}

/** Whether a header asks for a passphrase; refuses headers no client accepts. */
export function needsPassphrase(hdr: string): boolean {
  return parseHeader(decodeB64u(hdr)).kdf !== 'none'
}

/** For callers that build requests by hand: the unlock step from the raw link key and header. */
export async function unlockSecret(o: { k: Uint8Array; passphrase?: string; hdr: string }): Promise<UnlockedSecret> {
  const hdrBytes = decodeB64u(o.hdr)
  const header = parseHeader(hdrBytes)
  await checkSigner(o.k, header)
  const { sid } = await deriveAccess(o.k)
  return { ...(await unlockKeys({ k: o.k, sid, header, passphrase: o.passphrase })), sidBytes: sid, hdrBytes }
}
