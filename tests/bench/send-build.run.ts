/**
 * `node --import tsx tests/bench/send-build.run.ts [ATTENDEES]`: builds the invitation email
 * for ATTENDEES (default 10,000) distinct attendees of one event and prints messages per
 * second and peak memory against the baseline (ical-generator + MailComposer per attendee).
 * Needs no services. Add `--expose-gc` to start both runs from a collected heap.
 */
import { benchBuildInvitations, measureRealForChild } from './send-build'

const attendees = Number(process.argv[2] ?? process.env.BENCH_SEND_BUILD_ATTENDEES ?? 10_000)
if (!Number.isInteger(attendees) || attendees < 1) {
  console.error('send-build: ATTENDEES must be a positive whole number.')
  process.exit(2)
}
if (process.argv.includes('--child')) await measureRealForChild(attendees)
else await benchBuildInvitations({ attendees })
