/**
 * Reads something again every few seconds while `active()` holds (an invitation still
 * queued), and not at all otherwise: the timer starts when it becomes true, stops when it
 * turns false or the component goes. Browser only; one read at a time.
 */
export function usePollWhile(active: () => boolean, read: () => Promise<unknown>, everyMs = 3000) {
  let timer: ReturnType<typeof setTimeout> | null = null
  const stop = () => {
    if (timer) clearTimeout(timer)
    timer = null
  }
  const schedule = () => {
    if (timer || !active()) return
    timer = setTimeout(async () => {
      try {
        await read()
      } finally {
        timer = null
        schedule()
      }
    }, everyMs)
  }
  onMounted(() => {
    watch(active, (now) => (now ? schedule() : stop()), { immediate: true })
  })
  onBeforeUnmount(stop)
}
