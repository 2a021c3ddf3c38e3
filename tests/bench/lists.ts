/**
 * `npm run bench:lists`: generated lists of 10,000, 100,000 and 1,000,000 rows (or the sizes
 * given as arguments) read through readList and summarizeList, one size per child process so
 * each peak RSS is its own. Prints one line a size: time, peak RSS, rows a second.
 */
import { execFileSync } from 'node:child_process'
import { createReadStream, mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readList } from '../../server/domain/lists/read-list'
import { summarizeList } from '../../server/domain/lists/summarize-list'
import { writeListFile } from './list-files'

async function measure(path: string): Promise<void> {
  const baselineRss = process.memoryUsage().rss
  const started = performance.now()
  const cpuStarted = process.cpuUsage()
  const summary = await summarizeList(readList(createReadStream(path), { layout: 'auto', maxBytes: 2 ** 31 }))
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuStarted)
  process.stdout.write(
    JSON.stringify({
      rows: summary.rows,
      valid: summary.valid,
      invalid: summary.invalid.length,
      duplicates: summary.duplicates.length,
      seconds: Number(seconds.toFixed(2)),
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      /** The process before reading (Node.js, tsx, the modules). */
      baselineRssMB: Math.round(baselineRss / 1024 / 1024),
    }) + '\n',
  )
}

if (process.argv[2] === '--measure') {
  await measure(process.argv[3]!)
} else {
  const sizes = process.argv.slice(2).map(Number)
  const folder = mkdtempSync(join(tmpdir(), 'cis-list-bench-'))
  for (const rows of sizes.length ? sizes : [10_000, 100_000, 1_000_000]) {
    const path = join(folder, `list-${rows}.csv`)
    const expected = await writeListFile(path, rows)
    const line = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--measure', path], { encoding: 'utf8' })
    const measured = JSON.parse(line)
    const ok = measured.rows === expected.rows && measured.valid === expected.valid && measured.invalid === expected.invalid && measured.duplicates === expected.duplicates
    console.log(
      `${rows.toLocaleString('en')} rows (${(statSync(path).size / 1024 / 1024).toFixed(1)} MB): ${measured.seconds} s (${measured.cpuSeconds} s CPU), peak RSS ${measured.peakRssMB} MB (${measured.baselineRssMB} MB before reading), ` +
        `${Math.round(rows / measured.seconds).toLocaleString('en')} rows/s${ok ? '' : ` — counts differ: expected ${JSON.stringify(expected)}, read ${line.trim()}`}`,
    )
  }
}
