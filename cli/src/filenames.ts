/** The CLI saves files under the names the web app would give them (shared/src/file-names.ts). */
export { numberedName, safeFileName } from '@burnlink/shared'
