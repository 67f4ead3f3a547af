import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createMockIdp } from '@oidckit/mock-idp'
import type { BenchConfig } from './config.js'
import { makeFigure, type Figure } from './figure.js'
import { runLoad } from './load.js'
import { freePort, peakRss, spawnNode, stop, waitFor200 } from './processes.js'

const bench = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const root = path.resolve(bench, '..')
const cliDist = path.join(root, 'mock-idp/dist/cli.js')

interface ServerSpec {
  name: string
  args: (port: number) => string[]
  discovery: string
  token?: string
}

/**
 * The mock-idp CLI as shipped (`dist/cli.js`, made by the build that `pnpm bench` runs first).
 * Only when `allowSource` is set and there is no build, its source through tsx instead.
 */
export function mockIdpArgs(allowSource = false): (port: number) => string[] {
  const cli = ['--port', '', '--host', '127.0.0.1']
  if (existsSync(cliDist)) return (port) => [cliDist, ...cli.with(1, String(port))]
  if (!allowSource) throw new Error(`${cliDist} is missing: run \`pnpm build\` first.`)
  const source = [
    '--import',
    'tsx',
    '--conditions=@oidckit/source',
    path.join(root, 'mock-idp/src/cli.ts'),
  ]
  return (port) => [...source, ...cli.with(1, String(port))]
}

function servers(allowSource: boolean): { floor: ServerSpec; idps: ServerSpec[] } {
  const script = (file: string) => (port: number) => [
    path.join(bench, 'servers', file),
    '--port',
    String(port),
  ]
  return {
    floor: { name: 'bare node:http', args: script('bare-http.mjs'), discovery: '/' },
    idps: [
      {
        name: 'mock-idp',
        args: mockIdpArgs(allowSource),
        discovery: '/.well-known/openid-configuration',
        token: '/oauth/token',
      },
      {
        name: 'oidc-provider',
        args: script('oidc-provider.mjs'),
        discovery: '/.well-known/openid-configuration',
        token: '/token',
      },
      {
        name: 'oauth2-mock-server',
        args: script('oauth2-mock-server.mjs'),
        discovery: '/.well-known/openid-configuration',
        token: '/token',
      },
    ],
  }
}

/** Milliseconds from spawning the server to its discovery document answering 200. */
async function coldStart(spec: ServerSpec): Promise<number> {
  const port = await freePort()
  const start = performance.now()
  const child = spawnNode(spec.args(port), bench)
  try {
    await waitFor200(`http://127.0.0.1:${port}${spec.discovery}`, { child })
    return performance.now() - start
  } catch (err) {
    throw new Error(`${spec.name}: ${(err as Error).message}\n${child.stderrText()}`)
  } finally {
    await stop(child)
  }
}

const TOKEN_REQUEST = {
  method: 'POST' as const,
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${Buffer.from('service:service-secret').toString('base64')}`,
  },
  body: 'grant_type=client_credentials&scope=api:read',
}

/**
 * mock-idp against oidc-provider and oauth2-mock-server, each in its own process: cold start
 * (against a bare node:http server), client-credentials tokens per second and p99 latency over
 * loopback (autocannon, 10 connections), peak RSS; and mock-idp's in-process start.
 */
export async function benchMockIdp(
  config: BenchConfig,
  { allowSource = false }: { allowSource?: boolean } = {},
): Promise<Figure[]> {
  const { floor, idps } = servers(allowSource)
  const starts: Record<string, number[]> = {}
  for (const spec of [floor, ...idps]) starts[spec.name] = []
  for (let i = 0; i < config.coldStarts; i++) {
    for (const spec of [floor, ...idps]) starts[spec.name]!.push(await coldStart(spec))
  }

  const rps: Record<string, number[]> = {}
  const p99: Record<string, number[]> = {}
  const rss: Record<string, number[]> = {}
  const running: { spec: ServerSpec; url: string; child: ReturnType<typeof spawnNode> }[] = []
  try {
    for (const spec of idps) {
      const port = await freePort()
      const child = spawnNode(spec.args(port), bench)
      running.push({ spec, url: `http://127.0.0.1:${port}${spec.token}`, child })
      await waitFor200(`http://127.0.0.1:${port}${spec.discovery}`, { child })
      rps[spec.name] = []
      p99[spec.name] = []
    }
    for (const { url } of running) {
      await runLoad({ url, ...TOKEN_REQUEST, seconds: Math.max(1, config.warmupSeconds) })
    }
    for (let run = 0; run < config.runs; run++) {
      for (const { spec, url } of running) {
        const result = await runLoad({ url, ...TOKEN_REQUEST, seconds: config.loadSeconds })
        rps[spec.name]!.push(result.requestsPerSecond)
        p99[spec.name]!.push(result.p99Ms)
      }
    }
    for (const { spec, child } of running) rss[spec.name] = [peakRss(child.pid!) / 1e6]
  } finally {
    await Promise.all(running.map(({ child }) => stop(child)))
  }

  const inProcess: number[] = []
  for (let i = 0; i < config.inProcessStarts + 3; i++) {
    const start = performance.now()
    const idp = createMockIdp()
    const res = await idp.fetch(new Request(`${idp.issuer}/.well-known/openid-configuration`))
    await res.text()
    if (res.status !== 200) throw new Error(`in-process discovery answered ${res.status}`)
    if (i >= 3) inProcess.push(performance.now() - start) // the first three warm the JIT
  }

  const floorStart = { name: floor.name, samples: starts[floor.name]! }
  const oidcProvider = (samples: Record<string, number[]>, suffix = '') => ({
    name: `oidc-provider${suffix}`,
    samples: samples['oidc-provider']!,
  })
  return [
    makeFigure({
      name: 'cold start, bare node:http (floor)',
      unit: 'ms',
      samples: floorStart.samples,
    }),
    ...idps.map((spec) =>
      makeFigure({
        name: `cold start, ${spec.name}`,
        unit: 'ms',
        samples: starts[spec.name]!,
        anchor: floorStart,
        target: spec.name === 'mock-idp' ? { on: 'ratio', op: '<=', value: 1.36 } : undefined,
        note: 'spawn to discovery answering 200',
      }),
    ),
    makeFigure({
      name: 'in-process start, createMockIdp() to discovery',
      unit: 'ms',
      samples: inProcess,
      target: { on: 'median', op: '<=', value: 2 },
    }),
    ...idps.map((spec) =>
      makeFigure({
        name: `client credentials, ${spec.name}`,
        unit: 'tokens/s',
        samples: rps[spec.name]!,
        anchor: spec.name === 'oidc-provider' ? undefined : oidcProvider(rps),
        target: spec.name === 'mock-idp' ? { on: 'ratio', op: '>=', value: 1.5 } : undefined,
      }),
    ),
    ...idps.map((spec) =>
      makeFigure({
        name: `client credentials p99, ${spec.name}`,
        unit: 'ms',
        samples: p99[spec.name]!,
        anchor: spec.name === 'oidc-provider' ? undefined : oidcProvider(p99, ' p99'),
      }),
    ),
    ...idps.map((spec) =>
      makeFigure({
        name: `peak RSS, ${spec.name}`,
        unit: 'MB',
        samples: rss[spec.name]!,
        anchor: spec.name === 'oidc-provider' ? undefined : oidcProvider(rss, ' RSS'),
        target: spec.name === 'mock-idp' ? { on: 'median', op: '<=', value: 100 } : undefined,
        note: 'VmHWM after the load runs',
      }),
    ),
  ]
}
