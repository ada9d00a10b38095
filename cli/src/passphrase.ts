import { usageError } from './exit.ts'
import { ask, decodeText, readSmallFile } from './io.ts'

const MAX_PASSPHRASE_FILE_BYTES = 4096

export const PASSPHRASE_IN_ARGV =
  '--passphrase takes no value: a passphrase on the command line ends up in shell history and in the process list. ' +
  'Use --passphrase alone to be asked for it, or --passphrase-file FILE. ' +
  '(If that word was the secret itself, put it before --passphrase.)'

/** The file's content, less one final line break that editors and `echo` add. */
export function readPassphraseFile(path: string): string {
  const passphrase = decodeText(readSmallFile(path, MAX_PASSPHRASE_FILE_BYTES), path).replace(/\r?\n$/, '')
  if (passphrase === '') throw usageError(`${path} is empty: it should hold the passphrase`)
  return passphrase
}

/** Asks twice when creating: a typo there would make the secret unreadable for everyone. */
export async function promptPassphrase({ confirm }: { confirm: boolean }): Promise<string> {
  const noTerminal = 'there is no terminal to ask for the passphrase on; use --passphrase-file FILE'
  const passphrase = await ask('Passphrase: ', { hidden: true, noTerminal })
  if (passphrase === '') throw usageError('the passphrase is empty')
  if (confirm && (await ask('Repeat passphrase: ', { hidden: true, noTerminal })) !== passphrase) {
    throw usageError('the two passphrases differ')
  }
  return passphrase
}
