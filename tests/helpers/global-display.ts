/**
 * vitest globalSetup of the browser project: an X display for WebKit, whose MiniBrowser has
 * no headless mode. Where none is set, one Xvfb serves the whole run, so `npm test` needs no
 * xvfb-run around it. Shared with the tests as `inject('display')`; '' when there is none.
 */
import { spawn } from 'node:child_process'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    display: string
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.DISPLAY) {
    project.provide('display', process.env.DISPLAY)
    return undefined
  }
  // -displayfd: Xvfb picks a free display number and writes it to fd 3 once it accepts clients.
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  })
  const display = await new Promise<string>((resolve) => {
    xvfb.once('error', () => resolve(''))
    xvfb.once('exit', () => resolve(''))
    xvfb.stdio[3]!.once('data', (data) => resolve(`:${String(data).trim()}`))
  })
  project.provide('display', display)
  if (!display) return undefined
  console.log(`[${project.name}] Xvfb on display ${display}`)
  return () => void xvfb.kill()
}
