/** Targets that misbehave on purpose, for the pool's test: each input names what to do. */
export async function runInput(input: string): Promise<string> {
  switch (input) {
    case 'spin':
      for (;;);
    case 'sleep':
      return new Promise<string>(() => {})
    case 'throw':
      throw new TypeError('Cannot read properties of undefined')
    case 'exit':
      process.exit(3)
    case 'grow': {
      const kept: string[][] = []
      for (;;) kept.push(Array.from({ length: 100_000 }, (_, n) => `row ${n} of ${kept.length}`))
    }
    case 'allocate':
      // One step far past the heap's limit, which V8 cannot stop part way: in a worker thread
      // with a heap limit this aborted the whole process.
      return `${'x'.repeat(2 ** 27).split('').length}`
    case 'buffers': {
      // Memory outside the heap (384 MB, more than the test's bound with the process's own), kept, and then waiting.
      const kept = Array.from({ length: 24 }, () => Buffer.alloc(16 * 1024 * 1024, 1))
      return new Promise<string>(() => void kept)
    }
    default:
      return `ok: ${input}`
  }
}
