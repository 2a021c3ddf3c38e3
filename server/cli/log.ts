// What the commands that run the pipeline (`cis ingest`, `cis replay`) log: each prints every
// message's outcome itself, one JSON line on stdout, so the pipeline's own info lines would
// only repeat them there; its warnings and errors still come through, on stderr.
import { logger } from '../log'

export const commandLog = logger.createChild({ logLevel: 'WARN' })
