/// <reference lib="webworker" />
/**
 * Runs the key schedule off the main thread: Argon2id takes 64 MiB and about a second, which
 * would freeze the page. Everything crossing the boundary is structured-cloneable, including
 * the non-extractable content key.
 */
import { ProtocolError, prepareSecret, unlockSecret } from '@burnlink/shared'
import { errorMessage } from '../error-message.ts'
import type { CryptoRequest, CryptoResponse } from './messages.ts'

declare const self: DedicatedWorkerGlobalScope

async function run(request: CryptoRequest): Promise<CryptoResponse> {
  try {
    if (request.op === 'prepare') return { ok: true, value: await prepareSecret(request.options) }
    return { ok: true, value: await unlockSecret(request.options) }
  } catch (error) {
    return {
      ok: false,
      message: errorMessage(error),
      reason: error instanceof ProtocolError ? error.reason : undefined,
    }
  }
}

self.onmessage = async (event: MessageEvent<CryptoRequest>) => {
  self.postMessage(await run(event.data))
}
