/**
 * File secrets as the clients make and read them (protocol.md §10): the manifest in the
 * envelope, each file in stored chunks through the shared chunk crypto, uploaded and read
 * through the shared client.
 */
import { createHash } from 'node:crypto'
import {
  PayloadType,
  decryptFile,
  deriveFileKey,
  deriveUploadToken,
  encodeB64u,
  encodeManifest,
  encryptFile,
  fileDigest,
  openSecretLink,
  randomBytes,
  sealSecret,
  signFiles,
  unlockSecret,
  type Client,
  type CreateSecretRequest,
} from '@burnlink/shared'
import type { Page } from 'playwright-core'
import { LOW_KDF } from './seeds.ts'

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest()

/** A file secret as a sender makes it: the manifest in the envelope, each file in stored chunks. */
export async function newFileSecret(files: Uint8Array[], maxViews = 1) {
  const manifest = encodeManifest({ files: files.map((b, i) => ({ name: `f${i}.bin`, type: '', size: b.length })) })
  const sealed = await sealSecret({
    type: PayloadType.attachment,
    text: manifest,
    ttl: 600,
    maxViews,
    origin: 'http://localhost',
    kdf: LOW_KDF,
  })
  const ut = await deriveUploadToken(sealed.k)
  const ctx = {
    fk: await deriveFileKey(sealed.k, sealed.P, sealed.sidBytes),
    sid: sealed.sidBytes,
    hdr: sealed.hdr,
    sizes: files.map((b) => b.length),
  }
  const chunks: Uint8Array<ArrayBuffer>[][] = []
  for (const [f, bytes] of files.entries()) {
    const out = []
    for await (const c of encryptFile(ctx, f, [bytes])) out.push(c)
    chunks.push(out)
  }
  const request: CreateSecretRequest = {
    ...sealed.prepared.request,
    uv: encodeB64u(sha256(ut)),
    files: chunks.map((cs) => cs.reduce((n, c) => n + c.length, 0)),
  }
  const sid = sealed.prepared.sid
  // The commit's files signature (protocol.md §10.7), as uploadFileSecret makes it.
  const digests = await Promise.all(chunks.map((cs) => fileDigest(cs.map((c) => sha256(c)))))
  const fsig = encodeB64u(await signFiles(sealed.sk, sealed.sidBytes, sealed.hdr, digests))
  return { sealed, ctx, chunks, request, sid, mt: sealed.prepared.mt, ut: encodeB64u(ut), files, fsig }
}
export type FileSecret = Awaited<ReturnType<typeof newFileSecret>>

export async function uploadAll(client: Client, s: FileSecret) {
  await client.createUpload(s.request)
  // Last first: any order is fine.
  for (const [file, cs] of [...s.chunks.entries()].reverse()) {
    for (const [chunk, body] of [...cs.entries()].reverse()) {
      await client.uploadChunk({ sid: s.sid, ut: s.ut, file, chunk, body })
    }
  }
}

export async function recipient(s: FileSecret) {
  const access = await openSecretLink(s.sealed.k)
  const { rev } = await unlockSecret({ k: s.sealed.k, hdr: s.request.hdr })
  return { access, rev, claim: encodeB64u(randomBytes(16)) }
}

/** Every file of a revealed secret, read chunk by chunk with `claim` and decrypted. */
export async function downloadAll(client: Client, s: FileSecret, r: Awaited<ReturnType<typeof recipient>>) {
  const out: Buffer[] = []
  for (const file of s.files.keys()) {
    async function* stored() {
      for (let chunk = 0; chunk < s.chunks[file]!.length; chunk++) {
        yield await client.readChunk({ ...r.access, claim: r.claim, file, chunk })
      }
    }
    const parts = []
    for await (const part of decryptFile(s.ctx, file, stored())) parts.push(part)
    out.push(Buffer.concat(parts))
  }
  return out
}

/**
 * For a browser context's init script: the File System Access pickers, which headless
 * Chromium cannot show, answered by the origin's private file system. The handles are real,
 * so a page writes through the same createWritable as to a file a person picked.
 */
export function pickersFromPrivateFileSystem(): void {
  const root = () => navigator.storage.getDirectory()
  Object.assign(window, {
    showSaveFilePicker: async ({ suggestedName }: { suggestedName: string }) =>
      (await root()).getFileHandle(suggestedName, { create: true }),
    showDirectoryPicker: async () => root(),
  })
}

/** SHA-256 (hex) of a file the page saved in its origin's private file system. */
export function privateFileSha256(page: Page, name: string): Promise<string> {
  return page.evaluate(async (n) => {
    const file = await (await (await navigator.storage.getDirectory()).getFileHandle(n)).getFile()
    const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer())
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
  }, name)
}
