import { useEffect, useState } from 'react'

/** The current time, updated every `everyMs` (ages like "5 min ago" stay true while the view is open). */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}
