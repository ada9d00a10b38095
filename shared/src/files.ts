/**
 * Attachments (protocol.md §10): the manifest that travels inside the envelope. The layout of
 * each file is in file-layout.ts.
 */
import * as z from 'zod/mini'
import { MAX_FILE_SIZE } from './file-layout.ts'
import { ProtocolError } from './errors.ts'
import { parseJson } from './json.ts'

const NAME_MAX_UNITS = 255
const TYPE_MAX_CHARS = 127
// With the u flag a surrogate pair is one code point, so this matches only lone halves,
// which JSON's \u escapes can carry but no file system or UTF-8 encoder can.
const LONE_SURROGATE = /\p{Surrogate}/u

/**
 * One file as the sender described it. Nothing here is trusted: the name is shown as text
 * and sanitised before saving, and the type is a hint that never decides how to render.
 */
export const FileEntry = z.strictObject({
  name: z.string().check(
    z.minLength(1, 'a file name must not be empty'),
    z.maxLength(NAME_MAX_UNITS, `a file name must be at most ${NAME_MAX_UNITS} characters`),
    z.refine((s) => !s.includes('\0') && !LONE_SURROGATE.test(s), 'a file name must be valid text without NUL'),
  ),
  type: z
    .string()
    .check(
      z.maxLength(TYPE_MAX_CHARS, `a media type must be at most ${TYPE_MAX_CHARS} characters`),
      z.regex(/^[\x20-\x7e]*$/, 'a media type must be printable ASCII'),
    ),
  size: z.int().check(z.minimum(0), z.maximum(MAX_FILE_SIZE)),
})

/**
 * The attachment manifest (frame type 0x03): every file's name, type and size, and an
 * optional note, in the order the files are stored. Chunk counts are not in it: they follow
 * from the sizes, and a value that can be derived cannot disagree.
 */
export const AttachmentManifest = z.strictObject({
  files: z.array(FileEntry).check(z.minLength(1, 'a manifest lists at least one file')),
  note: z.optional(z.string()),
})

export type FileEntry = z.infer<typeof FileEntry>
export type AttachmentManifest = z.infer<typeof AttachmentManifest>

/** The manifest's JSON text, for `seal` with PayloadType.attachment; refuses what `parseManifest` would. */
export function encodeManifest(manifest: AttachmentManifest): string {
  const parsed = AttachmentManifest.safeParse(manifest)
  if (!parsed.success) throw new ProtocolError('payload', parsed.error.issues[0]!.message)
  return JSON.stringify(parsed.data)
}

/** The manifest in an opened attachment frame. */
export function parseManifest(text: string): AttachmentManifest {
  const json = parseJson(text)
  if (json === undefined) throw new ProtocolError('manifest', 'the file list is not valid JSON')
  const parsed = AttachmentManifest.safeParse(json)
  if (!parsed.success)
    throw new ProtocolError('manifest', `the file list is invalid: ${parsed.error.issues[0]!.message}`)
  return parsed.data
}
