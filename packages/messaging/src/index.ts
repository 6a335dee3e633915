export { DeliveryError, MessageRejectedError, type DeliveryChannel } from "./delivery-error";
export {
  classifySmtpError,
  createEmailSender,
  type CalendarPart,
  type EmailAddress,
  type EmailAttachment,
  type EmailSendResult,
  type EmailSender,
  type EmailSenderConfig,
  type OutgoingEmail,
} from "./email-sender";
export {
  IDEMPOTENCY_HEADER,
  classifyTwilioError,
  createSmsSender,
  type OutgoingSms,
  type SmsSendResult,
  type SmsSender,
  type SmsSenderConfig,
} from "./sms-sender";
export { smsSegments, type SmsEncoding, type SmsSegmentInfo } from "./sms-segments";
export { classifyInbound, type InboundKeyword } from "./sms-keywords";
export { signTwilioRequest, validateTwilioSignature, type TwilioWebhookParams } from "./twilio-signature";
export {
  PERSONALIZATION_VARIABLES,
  renderTemplate,
  templateVariables,
  unknownVariables,
  type PersonalizationVariable,
  type TemplateValue,
  type TemplateVars,
} from "./templates";
export { meetingInvite, type CalendarPerson, type MeetingInviteInput } from "./calendar";
