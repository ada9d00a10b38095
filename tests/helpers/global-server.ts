/**
 * vitest globalSetup of the projects that run the server as a process: the bundle is built
 * once, before any test file starts. server/build.mjs writes the bundle in place, so two
 * files running side by side and building it at once could start a half-written one.
 */
import { ensureServerBuilt } from './server-process.ts'

export default function setup(): void {
  ensureServerBuilt()
}
