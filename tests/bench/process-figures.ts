/** Helpers the server benchmarks share: seeding in parallel, and a process's CPU time. */
import { readFileSync } from 'node:fs'

/** Runs `write(0..count-1)` with at most `concurrency` at a time. */
export async function inBatches(count: number, concurrency: number, write: (i: number) => Promise<unknown>) {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await write(next++)
    }),
  )
}

/** CPU seconds a process has used so far (Linux /proc), or null where that cannot be read. */
export function cpuSecondsOf(pid: number | undefined): number | null {
  if (!pid) return null
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}
