/// <reference lib="webworker" />
/**
 * Runs the steps that may run Argon2id off the main thread: it takes 64 MiB and about a
 * second, which would freeze the page. That is preparing a secret (its key schedule and
 * sealing) and a recipient's unlock step; the rest of either flow stays on the page.
 * Everything crossing the boundary is structured-cloneable, including the non-extractable
 * content key.
 */
import { ProtocolError, prepareSecret, unlockKeys } from '@burnlink/shared'
import { errorMessage } from '../error-message.ts'
import type { CryptoRequest, CryptoResponse } from './messages.ts'

declare const self: DedicatedWorkerGlobalScope

async function run(request: CryptoRequest): Promise<CryptoResponse> {
  try {
    if (request.op === 'prepare') return { ok: true, value: await prepareSecret(request.options) }
    return { ok: true, value: await unlockKeys(request.input) }
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
