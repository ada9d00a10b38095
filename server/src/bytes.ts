/**
 * Base64url on the request path, in native code. Every string decoded here has already
 * passed the shared schemas' canonical check, so Buffer's lenient decoder gives exactly the
 * strict decoder's bytes; encoding has only one output either way. The pure-JS codec in
 * @burnlink/shared stays the one clients use, where no Buffer exists.
 */
export const fromB64u = (s: string): Uint8Array => Buffer.from(s, 'base64url')

export const toB64u = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url')
