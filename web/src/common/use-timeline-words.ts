import type { TimelineStep } from '../lib/timeline.ts'
import { useFormat } from './use-format.ts'

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate()
}

/** A timeline step in the reader's words: today's by their time alone ("revealed 10:05"), older ones with the date. */
export function useTimelineWords() {
  const { t, time, dateTime } = useFormat()
  const when = (iso: string, now = new Date()) => (sameDay(new Date(iso), now) ? time(Date.parse(iso)) : dateTime(iso))
  return { words: (step: TimelineStep) => t(step.key, { time: when(step.at) }) }
}
