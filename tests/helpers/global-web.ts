/**
 * vitest globalSetup of the projects that serve web/dist: the app is built once, before any
 * test file starts, rather than by whichever file comes first. Were files to run side by
 * side, two of them building into one web/dist at once would serve each other a half-written app.
 */
import { ensureWebBuilt } from './browser.ts'

export default function setup(): void {
  ensureWebBuilt()
}
