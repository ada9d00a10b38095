/**
 * The server reads a .env in its working folder at start, as .env.example suggests, and the
 * environment wins over the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ServerLimits } from '@burnlink/shared'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'

describe('a .env file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'burnlink-env-'))
  let server: ServerProcess | undefined
  afterAll(async () => {
    await server?.stop()
    rmSync(folder, { recursive: true, force: true })
  })

  it('sets what the environment leaves unset, and nothing the environment sets', async () => {
    writeFileSync(join(folder, '.env'), '# local settings\nMAX_VIEWS=42\nMAX_TTL_SECONDS=7200\n')
    server = await startServerProcess({ MAX_TTL_SECONDS: '3600' }, { cwd: folder })
    const limits = ServerLimits.parse(await (await fetch(`${server.url}/api/v1/config`)).json())
    expect(limits.maxViews).toBe(42)
    expect(limits.maxTtlSeconds).toBe(3600)
  })
})
