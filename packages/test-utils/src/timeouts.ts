/**
 * The request timeout for tests that are not about timeouts. A loaded machine can take seconds
 * to answer an in-process request that generates a signing key, and a retried request would
 * change what the test counts; a minute is never reached by a working exchange.
 */
export const GENEROUS_TIMEOUT = 60_000
