import { NetworkError } from '../errors.js'

export function abortedError(signal: AbortSignal): NetworkError {
  return new NetworkError('ERR_ABORTED', 'The operation was aborted by its signal.', {
    cause: signal.reason,
  })
}

/** Waits `ms`, rejecting at once with `ERR_ABORTED` when `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(signal))
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortedError(signal as AbortSignal))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
