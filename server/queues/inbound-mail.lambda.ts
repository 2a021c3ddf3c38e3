// Lambda entry of the inbound mail function (built by server/queues/build/nitro.config.ts).
export { handleInboundMail as handler } from './inbound-mail'
