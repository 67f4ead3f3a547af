#!/usr/bin/env node
import { main } from './cli/main.js'

// Ctrl-C cancels the running command, which cleans up; a second Ctrl-C exits at once.
const controller = new AbortController()
process.once('SIGINT', () => {
  controller.abort(new Error('cancelled with Ctrl-C'))
  process.once('SIGINT', () => process.exit(130))
})

const code = await main(process.argv.slice(2), { signal: controller.signal })
// Exit once stdout has drained: idle keep-alive sockets must not hold the process open.
process.stdout.write('', () => process.exit(code))
