import { ProtocolError } from '@burnlink/shared'
import type { PrepareSecretOptions, PreparedSecret, RevealKeys, UnlockInput } from '@burnlink/shared'
import type { CryptoRequest, CryptoResponse } from './messages.ts'

/**
 * One short-lived worker per job: terminating it hands Argon2id's 64 MiB back at once, and
 * no key material outlives the job in a background thread.
 */
function runInWorker(request: CryptoRequest): Promise<unknown> {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'burnlink-crypto' })
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<CryptoResponse>) => {
      worker.terminate()
      const response = event.data
      if (response.ok) resolve(response.value)
      else reject(response.reason ? new ProtocolError(response.reason, response.message) : new Error(response.message))
    }
    worker.onerror = (event) => {
      worker.terminate()
      reject(new Error(event.message || 'the encryption worker failed to start'))
    }
    worker.postMessage(request)
  })
}

export function prepareInWorker(options: PrepareSecretOptions): Promise<PreparedSecret> {
  return runInWorker({ op: 'prepare', options }) as Promise<PreparedSecret>
}

/** `unlockKeys` of the recipient flow (createRecipient's `unlockKeys` option), in a worker. */
export function unlockInWorker(input: UnlockInput): Promise<RevealKeys> {
  return runInWorker({ op: 'unlock', input }) as Promise<RevealKeys>
}
