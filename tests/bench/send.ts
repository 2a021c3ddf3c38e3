/**
 * `npm run bench:send`: both halves of sending, each against a baseline in the same run.
 * 1. Building invitations for 10,000 attendees of one event on one core (send-build.ts).
 * 2. The send rate against an SES stand-in enforcing the limit: the limiter alone, then the
 *    real send handler (send-rate.run.ts; the local stack runs in a process of its own).
 */
await import('./send-build.run')
await import('./send-rate.run')

export {}
