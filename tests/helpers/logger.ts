import pino from 'pino'

/** A real pino logger that writes nowhere, for code that requires one. */
export const silentLogger = pino({ level: 'silent' })
