import { describe, expect, it } from 'vitest'
import { ApiError, ProtocolError } from '@burnlink/shared'
import { downloadProblem } from './download-problem.ts'

describe('downloadProblem', () => {
  it.each([
    [new ProtocolError('chunk_auth', 'altered'), 'reveal.files.error.damaged'],
    [new ProtocolError('chunk_missing', 'cut short'), 'reveal.files.error.damaged'],
    [new ProtocolError('files_digest', 'not the signed chunks'), 'reveal.files.error.notFromCreator'],
    [new ApiError(410, 'window_closed', 'closed'), 'reveal.files.error.windowClosed'],
    [new ApiError(404, 'not_found', 'not found'), 'reveal.files.error.windowClosed'],
    [new ApiError(0, 'network', 'offline'), 'reveal.files.error.unavailable'],
    [new ApiError(503, 'unavailable', 'storage'), 'reveal.files.error.unavailable'],
    [new DOMException('full', 'QuotaExceededError'), 'reveal.files.error.diskFull'],
    [new Error('odd'), 'reveal.files.error.unexpected'],
  ])('words %s as %s', (error, key) => {
    expect(downloadProblem(error).key).toBe(key)
  })
})
