import { ApiError, ProtocolError } from '@burnlink/shared'

/** Everything that can stop a person from reading or managing a secret, each with its own words. */
export type ProblemKind =
  | 'missing'
  | 'malformed'
  | 'not_found'
  | 'viewed'
  | 'viewed_after_doubt'
  | 'expired'
  | 'burned'
  | 'burned_by_attempts'
  | 'damaged'
  | 'redirect_refused'
  | 'rate_limited'
  | 'unavailable'
  | 'unexpected'

export const PROBLEMS: Readonly<Record<ProblemKind, { title: string; text: string; retry?: true }>> = {
  missing: {
    title: 'This address has no key',
    text: 'A secret link ends with "#1." and a long key. This page removes the key from the address bar once it has read it, so reloading shows this message: open the original link again.',
  },
  malformed: {
    title: 'This link is incomplete or damaged',
    text: 'Part of the link is missing or was changed, often by copying only part of it. Ask the sender to check the link.',
  },
  not_found: {
    title: 'No secret here',
    text: 'There is no secret for this link. It may never have existed, or its record is gone.',
  },
  viewed: {
    title: 'This secret was already viewed',
    text: 'It has been opened as many times as its creator allowed and is gone for good. If you did not open it, tell the sender.',
  },
  viewed_after_doubt: {
    title: 'This secret was already viewed',
    text: 'The earlier attempt on this page, which the server did not answer, may have used it up, and it can no longer be fetched again. Ask the sender to send it again.',
  },
  expired: {
    title: 'This secret has expired',
    text: 'Nobody opened it in time, so it was deleted unread. Ask the sender for a new link.',
  },
  burned: {
    title: 'This secret was burned',
    text: 'It was destroyed before expiry: by its creator, by a recipient, or after too many wrong passphrases.',
  },
  burned_by_attempts: {
    title: 'Too many wrong passphrases',
    text: 'The secret has been destroyed to protect it. Ask the sender for a new link and the right passphrase.',
  },
  damaged: {
    title: 'This secret cannot be decrypted',
    text: 'The data does not match the link. The link may be damaged, or the server returned something it should not have.',
  },
  redirect_refused: {
    title: 'This link leads to an address this page refuses',
    text: 'The secret is a link, but to an address a browser should not be sent to: one that is not https (javascript: or data:, or http where this server allows only https), one with a user name or password in it, or one too long. Such addresses can run code or hide where they lead, so it was not opened. Its view is used up: tell the sender.',
  },
  rate_limited: {
    title: 'Too many requests',
    text: 'The server asks to slow down. Wait a minute, then try again.',
    retry: true,
  },
  unavailable: {
    title: 'The server is unavailable',
    text: 'It could not be reached or is having trouble. Nothing was opened or used up: try again in a moment.',
    retry: true,
  },
  unexpected: {
    title: 'Something went wrong',
    text: 'The request failed in an unexpected way. Nothing was opened: try again.',
    retry: true,
  },
}

/** A problem as one line, for a notice inside a card rather than a card of its own. */
export function problemLine(kind: ProblemKind): string {
  return `${PROBLEMS[kind].title}. ${PROBLEMS[kind].text}`
}

export function problemFrom(error: unknown): ProblemKind {
  if (error instanceof ProtocolError) return error.reason === 'link' ? 'malformed' : 'damaged'
  if (!(error instanceof ApiError)) return 'unexpected'
  if (error.code === 'not_found') return 'not_found'
  if (error.code === 'gone') return error.state === 'active' || !error.state ? 'burned' : error.state
  if (error.code === 'rate_limited') return 'rate_limited'
  if (error.code === 'network' || error.code === 'unavailable' || error.status >= 500) return 'unavailable'
  return 'unexpected'
}
