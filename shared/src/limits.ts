/**
 * Protocol constants and limits: the single source of truth for the server's validation,
 * the web app's form and the CLI's options (protocol.md §2–§9).
 */

/** Domain-separation label, frozen once shipped. */
export const LABEL = 'burnlink/v1'
/** The version of manage links (and of format 1 secret links and headers). */
export const PROTOCOL_VERSION = 1
/**
 * The secret format, the header's first byte and the secret link's first field: 2 signs the
 * content (protocol.md §5.1) and is what clients write; 1 is still read, since links already
 * sent are in people's mailboxes.
 */
export const FORMAT = { unsigned: 1, signed: 2 } as const

export const KEY_BYTES = 32
export const SID_BYTES = 16
export const TOKEN_BYTES = 32
export const NONCE_BYTES = 12
export const TAG_BYTES = 16
export const SALT_BYTES = 16
/** Secret requests (protocol.md §12): the request id, an uncompressed P-256 point, the key fingerprint. */
export const RID_BYTES = 16
export const EC_POINT_BYTES = 65
export const FINGERPRINT_BYTES = 16

/** Format 2 (protocol.md §5.1): a P1363 ECDSA P-256 signature, and the link's hash of the public key. */
export const SIGNATURE_BYTES = 64
export const PKH_BYTES = 16

const KDF_NONE_BYTES = 2
const KDF_ARGON2ID_BYTES = 2 + 4 + 1 + 1 + SALT_BYTES
const SIGNER_BYTES = EC_POINT_BYTES + SIGNATURE_BYTES
/**
 * Header sizes (protocol.md §5): version and KDF bytes, then for Argon2id m (u32), t, p and
 * the salt; format 2 adds the creator's public key and the signature.
 */
export const HEADER_BYTES = {
  none: KDF_NONE_BYTES,
  argon2id: KDF_ARGON2ID_BYTES,
  signedNone: KDF_NONE_BYTES + SIGNER_BYTES,
  signedArgon2id: KDF_ARGON2ID_BYTES + SIGNER_BYTES,
} as const
export const MAX_HEADER_BYTES = Math.max(...Object.values(HEADER_BYTES))

/** Frame sizes are powers of two so the ciphertext length leaks only a size bucket. */
export const FRAME_SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536] as const
const MAX_FRAME_BYTES = Math.max(...FRAME_SIZES)
/** Type (u8) and payload length (u32) in front of the payload. */
export const FRAME_OVERHEAD = 5
export const MAX_PAYLOAD_BYTES = MAX_FRAME_BYTES - FRAME_OVERHEAD
/** A ciphertext is the nonce, the sealed frame and the GCM tag. */
export const CT_LENGTHS: readonly number[] = FRAME_SIZES.map((f) => NONCE_BYTES + f + TAG_BYTES)
export const MAX_CT_BYTES = NONCE_BYTES + MAX_FRAME_BYTES + TAG_BYTES

export const PayloadType = { text: 1, redirect: 2, attachment: 3 } as const
export type PayloadType = (typeof PayloadType)[keyof typeof PayloadType]

/** Argon2id bounds a client accepts in a header, and the defaults it writes. */
export const ARGON2 = {
  defaults: { m: 65536, t: 3, p: 1 },
  minM: 19456,
  maxM: 262144,
  minT: 2,
  maxT: 10,
} as const

export const TTL = { minSeconds: 60, defaultMaxSeconds: 7 * 24 * 3600 } as const
export const VIEWS = { defaultMax: 100 } as const
export const ATTEMPTS = { default: 5, min: 3, max: 10 } as const
/**
 * A reveal's claim (protocol.md §7): random bytes a client sends so that it, and only it,
 * can fetch a released view again within the retry window after a lost answer.
 */
export const CLAIM_BYTES = 16
export const CLAIM_RETRY = { defaultSeconds: 300, minSeconds: 300, maxSeconds: 3600 } as const
export const STATUS_BATCH_MAX = 100
/** A status keeps this many events of its timeline (protocol.md §7); its end is listed beyond them. */
export const TIMELINE_MAX_EVENTS = 100
export const REDIRECT_URL_MAX_CHARS = 2048

/** Expiry presets offered by the web app and understood by the CLI's --ttl. */
export const TTL_PRESETS = [
  { label: '5 minutes', seconds: 300 },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86400 },
  { label: '7 days', seconds: 604800 },
] as const
