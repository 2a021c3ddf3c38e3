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
    default:
      return `ok: ${input}`
  }
}
