/**
 * The tokens of web answer links (services/web-answers.ts), apart from the answering itself
 * so the send worker, which only writes the links, does not bundle the inbound mail reader.
 */
import { config } from '../config'
import { signToken, readToken } from '../domain/links/signed-token'
import type { WebAnswer } from '../../shared/schemas/invite-requests'

const WEB_ANSWER = 'web-answer'

/** The token of an attendee's answer links for an event. */
export function webAnswerToken(email: string, eventUid: string): string {
  return signToken(config().secret, WEB_ANSWER, [email.trim().toLowerCase(), eventUid])
}

export function readWebAnswerToken(token: string): { email: string; eventUid: string } | null {
  const values = readToken(config().secret, WEB_ANSWER, token)
  if (!values || values.length !== 2 || !values[0] || !values[1]) return null
  return { email: values[0], eventUid: values[1] }
}

/** The Yes, Maybe and No links of one attendee's invitation. */
export function webAnswerUrls(email: string, eventUid: string): Record<WebAnswer, string> {
  const base = `${config().siteUrl}/rsvp/${webAnswerToken(email, eventUid)}?answer=`
  return { ACCEPTED: `${base}ACCEPTED`, TENTATIVE: `${base}TENTATIVE`, DECLINED: `${base}DECLINED` }
}

