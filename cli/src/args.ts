import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'
import { usageError } from './exit.ts'

type Options = NonNullable<ParseArgsConfig['options']>

/** Options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  insecure: { type: 'boolean' },
} as const

/**
 * The first option `options` does not know, as typed. Node's own message for it quotes its
 * example wrongly (`'-- "--x"`), so the CLI says it in its own words.
 */
function unknownOption(args: string[], options: Options): string | undefined {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true })
  for (const t of tokens) if (t.kind === 'option' && !Object.hasOwn(options, t.name)) return t.rawName
  return undefined
}

/** Strict parsing: an unknown or misspelt option is a usage error, never silently ignored. */
export function parseCommand<const O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (e) {
    const unknown = (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknownOption(args, options)
    if (unknown)
      throw usageError(
        `unknown option ${unknown}; see burnlink ${command} --help (an argument that starts with "-" goes after "--")`,
      )
    throw usageError(`${(e as Error).message}; see burnlink ${command} --help`)
  }
}

/**
 * True when a boolean option was given a value anyway, as `--opt=value` or `--opt value`
 * (parseArgs would take the latter's value for a positional argument).
 */
export function hasValueAfter(args: string[], option: string): boolean {
  const flag = `--${option}`
  const end = args.indexOf('--')
  const options = end === -1 ? args : args.slice(0, end)
  return options.some((arg, i) => {
    if (arg.startsWith(`${flag}=`)) return true
    const next = options[i + 1]
    return arg === flag && next !== undefined && !next.startsWith('-')
  })
}

/** At most one positional argument, named in the message when there are more. */
export function onePositional(positionals: string[], what: string, command: string): string | undefined {
  if (positionals.length > 1)
    throw usageError(`expected one ${what}, got ${positionals.length}; see burnlink ${command} --help`)
  return positionals[0]
}
