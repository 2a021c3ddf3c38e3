import { listUpcomingPublicEvents } from '../../services/public-events'

export default defineEventHandler(() => listUpcomingPublicEvents(new Date()))
