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
  openSecretLink,
  randomBytes,
  sealSecret,
  unlockSecret,
  type Client,
  type CreateSecretRequest,
} from '@burnlink/shared'
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
  return { sealed, ctx, chunks, request, sid, mt: sealed.prepared.mt, ut: encodeB64u(ut), files }
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
