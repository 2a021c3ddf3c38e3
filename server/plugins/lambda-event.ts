// On Lambda, hand each request the API Gateway event it came in (event.context.awsLambda): see withLambdaEvent.
import { withLambdaEvent } from '../utils/client-address'

export default defineNitroPlugin((nitroApp) => {
  nitroApp.localCall = withLambdaEvent(nitroApp.localCall)
})
