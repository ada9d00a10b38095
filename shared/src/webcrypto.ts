/**
 * The WebCrypto and byte helpers every other module builds on. They import nothing of ours,
 * so the key schedule, the header and the envelope can all use them without importing each
 * other.
 */

/**
 * Browsers hide WebCrypto outside secure contexts (plain http other than localhost); say so
 * instead of failing on `undefined.importKey`.
 */
export function subtle(): SubtleCrypto {
  const api = globalThis.crypto?.subtle
  if (!api) throw new Error('WebCrypto is unavailable: open this page over https')
  return api
}

/** WebCrypto wants ArrayBuffer-backed views; copying also detaches callers' buffers from ours. */
export function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes)
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  return globalThis.crypto.getRandomValues(new Uint8Array(n))
}

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', ownBytes(bytes)))
}
