import { ref, shallowRef } from 'vue'
import { PayloadType } from '@burnlink/shared'
import { prepareInWorker } from '../../lib/crypto-worker/client.ts'
import type { LinkEntry } from '../../lib/link-entries.ts'
import { useServerConfig } from '../../common/use-server-config.ts'
import { createProblem, type CreateProblem } from './create-problem.ts'

export type SecretKind = LinkEntry['kind']

export interface SecretInput {
  kind: SecretKind
  /** The text, or the URL of a link secret. */
  text: string
  /** The files of a file secret; empty otherwise. */
  files: File[]
  /** Empty means none. */
  passphrase: string
  ttl: number
  maxViews: number
  /** One link per label: a single secret is a batch of one. Labels never leave this browser. */
  labels: string[]
}

/** What the creator gets back: the links are shown once and never stored. */
export interface CreatedSecret {
  link: string
  manageLink: string
  sid: string
  mt: string
  label: string
  kind: SecretKind
  createdAt: string
  expiresAt: string
  maxViews: number
  hasPassphrase: boolean
}

/** The My links entry of a created secret: field by field, so the link can never slip in. */
export function toLinkEntry(s: CreatedSecret): LinkEntry {
  return {
    sid: s.sid,
    mt: s.mt,
    label: s.label,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    maxViews: s.maxViews,
    kind: s.kind,
  }
}

export type CreatePhase = 'idle' | 'deriving' | 'encrypting' | 'sending' | 'retrying' | 'uploading'

/** An upload under way: stored bytes sent of all, since when (for the rate). */
export interface FileTransfer {
  sent: number
  total: number
  startedAt: number
}

/**
 * Creates one secret per label, each with its own key, one after the other: with a
 * passphrase every link runs Argon2id (64 MiB, about a second), and two at once would only
 * fight over the same cores.
 */
export function useCreateSecret() {
  const { limits, ready } = useServerConfig()
  const phase = ref<CreatePhase>('idle')
  const progress = ref({ current: 0, total: 0 })
  /** Why the last create failed, and how many links it made before that when it made some. */
  const error = ref<(CreateProblem & { done?: { done: number; total: number } }) | null>(null)
  const created = shallowRef<CreatedSecret[] | null>(null)
  const transfer = shallowRef<FileTransfer | null>(null)
  let files: typeof import('./send-files.ts') | undefined
  let upload: { cancel(): Promise<void> } | undefined
  let cancelled = false

  /** A file secret: encrypted and uploaded in a worker, with progress, and cancellable until committed. */
  async function sendOne(input: SecretInput): Promise<Omit<CreatedSecret, 'label' | 'kind' | 'createdAt'>> {
    files ??= await import('./send-files.ts')
    const sending = files.sendFiles(input, {
      prepared: (total) => {
        phase.value = 'uploading'
        transfer.value = { sent: 0, total, startedAt: performance.now() }
      },
      progress: (bytes) => {
        phase.value = 'uploading'
        if (transfer.value) transfer.value = { ...transfer.value, sent: transfer.value.sent + bytes }
      },
      retrying: () => (phase.value = 'retrying'),
    })
    upload = sending
    try {
      const { link, manageLink, sid, mt, expiresAt } = await sending.result
      return { link, manageLink, sid, mt, expiresAt, maxViews: input.maxViews, hasPassphrase: input.passphrase !== '' }
    } finally {
      upload = undefined
      transfer.value = null
    }
  }

  async function createOne(input: SecretInput, label: string): Promise<CreatedSecret> {
    phase.value = input.passphrase ? 'deriving' : 'encrypting'
    if (input.kind === 'file') {
      const createdAt = new Date().toISOString()
      return { ...(await sendOne(input)), label, kind: input.kind, createdAt }
    }
    const prepared = await prepareInWorker({
      type: input.kind === 'link' ? PayloadType.redirect : PayloadType.text,
      text: input.text,
      passphrase: input.passphrase,
      ttl: input.ttl,
      maxViews: input.maxViews,
      origin: location.origin,
      allowHttp: limits.value.allowHttpRedirects,
    })
    phase.value = 'sending'
    const createdAt = new Date().toISOString()
    // Sent again as it is after 503 or no answer: a create the server already stored answers 201 again.
    const { storeTextSecret } = await import('./store-text-secret.ts')
    const { expiresAt } = await storeTextSecret(prepared.request, { onRetry: () => (phase.value = 'retrying') })
    const { link, manageLink, sid, mt } = prepared
    const { kind, maxViews } = input
    return {
      link,
      manageLink,
      sid,
      mt,
      label,
      kind,
      createdAt,
      expiresAt,
      maxViews,
      hasPassphrase: input.passphrase !== '',
    }
  }

  async function create(input: SecretInput): Promise<void> {
    error.value = null
    cancelled = false
    const done: CreatedSecret[] = []
    progress.value = { current: 0, total: input.labels.length }
    try {
      await ready
      for (const label of input.labels) {
        if (cancelled) break
        progress.value = { current: done.length + 1, total: input.labels.length }
        done.push(await createOne(input, label.trim()))
      }
    } catch (e) {
      const partly = done.length > 0 ? { done: { done: done.length, total: input.labels.length } } : {}
      const problem = cancelled
        ? { key: 'create.files.cancelled', params: {} }
        : input.kind === 'file' && files
          ? files.fileCreateProblem(e, limits.value)
          : createProblem(e)
      error.value = { ...problem, ...partly }
    } finally {
      phase.value = 'idle'
      // Links that exist on the server are shown even when a later one failed.
      if (done.length > 0) created.value = done
    }
  }

  /** Stops the upload under way; nothing of it stays revealable, and no further link of the batch is made. */
  async function cancel(): Promise<void> {
    cancelled = true
    // Should the abort itself fail, the link was still never shown: nobody can open it.
    await upload?.cancel().catch(() => undefined)
  }

  function reset(): void {
    created.value = null
    error.value = null
  }

  return { phase, progress, error, created, transfer, create, cancel, reset }
}
