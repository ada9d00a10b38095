/**
 * File names come from whoever sent the link, so they are never trusted (protocol.md §10.1):
 * before a name reaches a file system (the CLI's directory, a browser's download) it loses
 * everything that could place the file elsewhere, hide what it is or mean something special to
 * a system. Shared by the CLI and the web app, so both save a file under the same name.
 */

/**
 * Path separators, what Windows forbids in names, C0 and C1 controls, and the bidi marks,
 * embeddings, overrides and isolates that would show "evil\u202Etxt.exe" as "evilexe.txt".
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f/\\<>:"|?*\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu
/** Device names Windows opens instead of a file, with any extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$)$/i
/** Below NAME_MAX (255 bytes on most file systems), leaving room for a " (12)". */
const MAX_NAME_BYTES = 200
const MAX_EXTENSION_CHARS = 16

const encoder = new TextEncoder()
const bytes = (s: string) => encoder.encode(s).length

function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf('.')
  if (dot <= 0 || name.length - dot > MAX_EXTENSION_CHARS) return [name, '']
  return [name.slice(0, dot), name.slice(dot)]
}

/** Cuts whole code points off the end until the name fits, the extension kept. */
function capLength(name: string): string {
  if (bytes(name) <= MAX_NAME_BYTES) return name
  const [stem, extension] = splitExtension(name)
  const chars = Array.from(stem)
  while (chars.length > 1 && bytes(chars.join('') + extension) > MAX_NAME_BYTES) chars.pop()
  return chars.join('') + extension
}

/**
 * A name that is safe to create in the target directory: no separators, no `..`, no
 * controls or bidi characters, no reserved device name, no leading `-` (a later shell
 * command would take it for an option), no trailing dots or spaces (Windows drops them),
 * at most 200 bytes with its extension kept. `index` names a file whose name is nothing
 * but such characters.
 */
export function safeFileName(name: string, index: number): string {
  let safe = name
    .normalize('NFC')
    .replace(UNSAFE, '_')
    .replace(/\.{2,}/g, '_')
    .replace(/[. ]+$/, '')
    .replace(/^-/, '_')
  if (RESERVED.test(safe.split('.')[0]!.trimEnd())) safe = `_${safe}`
  return safe === '' ? `file-${index + 1}` : capLength(safe)
}

/** `name (n).ext`: the form browsers use for a second file of one name. */
export function numberedName(name: string, n: number): string {
  const [stem, extension] = splitExtension(name)
  return `${stem} (${n})${extension}`
}
