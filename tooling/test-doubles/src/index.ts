export {
  startSmtpServer,
  type ReceivedAttachment,
  type ReceivedEmail,
  type SmtpFailure,
  type SmtpRejection,
  type SmtpServerOptions,
  type SmtpTestServer,
} from "./smtp-server";
export {
  startTwilioStandIn,
  type CallbackResponse,
  type InboundParams,
  type StandInFailure,
  type StandInMessage,
  type StandInMessageStatus,
  type StatusCallbackParams,
  type SimulatedInbound,
  type TwilioStandIn,
  type TwilioStandInConfig,
  type WebhookDelivery,
} from "./twilio-stand-in";
export { startMailInbox, type MailInbox } from "./mail-inbox";
export { startDevServices, type DevServices, type DevServicesInfo, type DevServicesOptions } from "./dev-services";
