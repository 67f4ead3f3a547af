// Waits until a started app answers, or exits first.
import { request } from 'node:http'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves true when `url` answers HTTP at all (any status): the server is listening. */
function answers(url) {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume()
      resolve(true)
    })
    req.once('timeout', () => req.destroy())
    req.once('error', () => resolve(false))
    req.end()
  })
}

/**
 * Resolves `'ready'` once the child's check passes (its URL answers, or its log has the line),
 * `'exited'` if the child exits first, `'timeout'` after `timeoutMs`.
 */
export async function waitReady(child, ready, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitInfo) return 'exited'
    const ok = ready.url ? await answers(ready.url) : ready.logLine.test(child.log())
    // An app that binds then crashes must not count as up.
    if (ok && !child.exitInfo) return 'ready'
    await sleep(150)
  }
  return 'timeout'
}
