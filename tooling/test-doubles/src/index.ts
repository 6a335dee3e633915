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
  type TwilioStandIn,
} from "./twilio-stand-in";
