/**
 * The files signature (protocol.md §10.7): in format 2 the creator signs, at the commit, a
 * digest of every file as stored, with the one-off key that signed the manifest. The tags
 * of the chunks prove only that whoever made them held `fk`, which every link holder does;
 * this proves the creator made them, so chunks put under the link by another holder of it
 * never make a file a recipient accepts.
 *
 * A hash list (a digest per stored chunk, then one over them) rather than one running
 * digest: WebCrypto hashes only whole inputs, and both sides hold each chunk whole anyway.
 */
import { notFromCreator, signWith, verifiesWith } from './envelope.ts'
import { parseHeader } from './header.ts'
import { LABEL } from './limits.ts'
import { concatBytes, sha256 } from './webcrypto.ts'

/** A SHA-256 digest: `c_{f,j}` and `D_f`. */
export const FILE_DIGEST_BYTES = 32
const SIGNATURE_BYTES = 64

/** `fsig` = D_0 ‖ … ‖ D_{F−1} ‖ sig: 32·F + 64 bytes. */
export function filesSignatureBytes(fileCount: number): number {
  return FILE_DIGEST_BYTES * fileCount + SIGNATURE_BYTES
}

const encoder = new TextEncoder()

/** D_f from the digests of file f's stored chunks, in order. */
export function fileDigest(chunkDigests: readonly Uint8Array[]): Promise<Uint8Array> {
  return sha256(concatBytes(...chunkDigests))
}

/** MF = L ‖ " files" ‖ 0x00 ‖ sid ‖ hdr ‖ D_0 ‖ … ‖ D_{F−1}; `hdr` is the whole stored header. */
export function filesMessage(
  sid: Uint8Array,
  hdr: Uint8Array,
  digests: readonly Uint8Array[],
): Uint8Array<ArrayBuffer> {
  return concatBytes(encoder.encode(`${LABEL} files`), Uint8Array.of(0), sid, hdr, ...digests)
}

/** The creator's `fsig` over each file's digest, with the key whose public half is in `hdr`. */
export async function signFiles(
  sk: CryptoKey,
  sid: Uint8Array,
  hdr: Uint8Array,
  digests: readonly Uint8Array[],
): Promise<Uint8Array> {
  return concatBytes(...digests, await signWith(sk, filesMessage(sid, hdr, digests)))
}

/**
 * The file digests an `fsig` names, once its signature verifies with the header's key (that
 * the key is the link's, `checkSigner` saw at meta). A missing or malformed `fsig`, or one
 * that does not verify, is `not_from_creator`: under a format 2 link every file secret has one.
 */
export async function verifyFiles(
  sid: Uint8Array,
  hdr: Uint8Array,
  fsig: Uint8Array | undefined,
  fileCount: number,
): Promise<Uint8Array[]> {
  const { pk } = parseHeader(hdr)
  if (!pk || !fsig || fsig.length !== filesSignatureBytes(fileCount)) throw notFromCreator()
  const digests = Array.from({ length: fileCount }, (_, f) =>
    fsig.slice(f * FILE_DIGEST_BYTES, (f + 1) * FILE_DIGEST_BYTES),
  )
  const sig = fsig.subarray(fileCount * FILE_DIGEST_BYTES)
  if (!(await verifiesWith(pk, sig, filesMessage(sid, hdr, digests)))) throw notFromCreator()
  return digests
}
