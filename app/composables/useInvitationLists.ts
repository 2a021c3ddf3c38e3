/**
 * An event's invitation lists (the dashboard's VIP uploads): the batches, newest first, and
 * the one being worked on, read again every second while a worker checks it, queues it or
 * sends it, so its figures move on the page and a reload finds it where it is.
 */
import type { z } from 'zod'
import { ListCreateBodySchema, type ListView, type ListAnswerSchema, type ListPageSchema, type ListUploadAnswerSchema } from '~~/shared/schemas/lists'
import { checkInput } from '~~/shared/validation'

type ListAnswer = z.infer<typeof ListAnswerSchema>
type ListPage = z.infer<typeof ListPageSchema>
type ListUploadAnswer = z.infer<typeof ListUploadAnswerSchema>

/** A worker is still on it: the page keeps reading it. */
export const listIsMoving = (list: ListView) => list.phase === 'checking' || list.phase === 'queueing' || (list.phase === 'queued' && !list.done)
/** Not finished with: being checked, waiting for YES (with something to send), or sending. */
const listIsOpen = (list: ListView) => (list.phase === 'checked' && list.valid > 0) || listIsMoving(list)

const POLL_MS = 1000
// The two bodies the API takes, each checked on its own so a mistake is named in its own words.
const [FILE_BODY, TEXT_BODY] = ListCreateBodySchema.options

export function useInvitationLists(eventUid: () => string) {
  const listsUrl = () => `/api/events/${encodeURIComponent(eventUid())}/lists`
  const page = useFetch<ListPage>(listsUrl)
  const lists = computed(() => page.data.value?.lists ?? [])
  const loadFailure = computed(() => (page.error.value ? apiErrorSentence(page.error.value, 'The lists sent for this event could not be loaded. Please try again shortly.') : ''))

  // The list this page started (null: the organizer put it aside); before any (a reload), the newest one not finished with.
  const chosenId = ref<string | null | undefined>(undefined)
  const current = computed(() =>
    chosenId.value === undefined ? (lists.value.find(listIsOpen) ?? null) : (lists.value.find((list) => list.id === chosenId.value) ?? null),
  )

  // Found after a reload, it stays the page's list until it is done (it is open no longer then).
  watch(
    current,
    (list) => {
      if (list && chosenId.value === undefined) chosenId.value = list.id
    },
    { immediate: true },
  )

  /** Puts the API's latest view of a list in its place (new lists first). */
  function show(list: ListView) {
    const known = page.data.value?.lists ?? []
    page.data.value = { lists: known.some((each) => each.id === list.id) ? known.map((each) => (each.id === list.id ? list : each)) : [list, ...known] }
  }

  const busy = ref(false)
  const failure = ref('')
  async function step<T>(fallback: string, run: () => Promise<T>): Promise<T | undefined> {
    busy.value = true
    failure.value = ''
    try {
      return await run()
    } catch (problem) {
      failure.value = apiErrorSentence(problem, fallback)
      return undefined
    } finally {
      busy.value = false
    }
  }

  /** A file: its name and size first, then its bytes straight to S3 at the signed address, then the check. */
  async function uploadFile(file: File) {
    const input = checkInput(FILE_BODY, { fileName: file.name, size: file.size })
    if (!input.ok) {
      failure.value = input.sentence
      return
    }
    await step('The file could not be uploaded. Please try again shortly.', async () => {
      const answer = await $fetch<ListUploadAnswer>(listsUrl(), { method: 'POST', body: input.data })
      chosenId.value = answer.list.id
      show(answer.list)
      if (!answer.upload) throw new Error('no upload address')
      const stored = await fetch(answer.upload.url, { method: answer.upload.method, headers: answer.upload.headers, body: file })
      if (!stored.ok) throw new Error(`upload answered ${stored.status}`)
      show((await $fetch<ListAnswer>(`/api/lists/${answer.list.id}/check`, { method: 'POST' })).list)
    })
  }

  /** Pasted addresses: sent as text, checked at once. */
  async function sendText(text: string) {
    const input = checkInput(TEXT_BODY, { text })
    if (!input.ok) {
      failure.value = input.sentence
      return
    }
    await step('The addresses could not be sent. Please try again shortly.', async () => {
      const answer = await $fetch<ListUploadAnswer>(listsUrl(), { method: 'POST', body: input.data })
      chosenId.value = answer.list.id
      show(answer.list)
    })
  }

  /** The organizer typed YES: the list's rows are queued for sending. */
  async function send(list: ListView, confirm: string) {
    await step('The invitations could not be sent. Please try again shortly.', async () => {
      show((await $fetch<ListAnswer>(`/api/lists/${list.id}/send`, { method: 'POST', body: { confirm } })).list)
    })
  }

  /** Another list: the current one leaves the form (it stays among the batches). */
  function startOver() {
    chosenId.value = null
    failure.value = ''
  }

  // Read the current list again every second while it moves (in the browser only).
  const pollFailure = ref('')
  let timer: ReturnType<typeof setInterval> | undefined
  let reading = false
  async function poll() {
    const list = current.value
    if (!list || !listIsMoving(list) || reading) return
    reading = true
    try {
      show((await $fetch<ListAnswer>(`/api/lists/${list.id}`)).list)
      pollFailure.value = ''
    } catch (problem) {
      pollFailure.value = apiErrorSentence(problem, 'The progress could not be read; trying again.')
    } finally {
      reading = false
    }
  }
  onMounted(() => {
    timer = setInterval(poll, POLL_MS)
  })
  onBeforeUnmount(() => clearInterval(timer))

  return { lists, loadFailure, current, busy, failure, pollFailure, uploadFile, sendText, send, startOver, refresh: page.refresh }
}
