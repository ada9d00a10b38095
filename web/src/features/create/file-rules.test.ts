import { describe, expect, it } from 'vitest'
import { DEFAULT_SERVER_LIMITS, fileLayout } from '@burnlink/shared'
import { filesProblem, manifestType } from './file-rules.ts'

const limits = { ...DEFAULT_SERVER_LIMITS, maxFiles: 2, maxFileBytes: 1_000_000 }

describe('filesProblem', () => {
  it('lets files within both limits through', () => {
    expect(filesProblem([1, 500_000], limits)).toBeNull()
  })

  it('names the file limit when there are too many', () => {
    expect(filesProblem([1, 2, 3], limits)).toEqual({ key: 'create.files.tooMany', params: { max: 2, total: 3 } })
  })

  it('counts padded bytes, as the server does', () => {
    // Under the limit as it is, over it once padded.
    const size = 999_990
    expect(fileLayout(size).padded).toBeGreaterThan(limits.maxFileBytes)
    expect(filesProblem([size], limits)).toEqual({
      key: 'create.files.tooLarge',
      params: { max: 1_000_000, total: fileLayout(size).padded },
    })
  })
})

describe('manifestType', () => {
  it('keeps a media type and drops what the manifest refuses', () => {
    expect(manifestType('application/pdf')).toBe('application/pdf')
    expect(manifestType('text/ü')).toBe('')
    expect(manifestType('x'.repeat(128))).toBe('')
  })
})
