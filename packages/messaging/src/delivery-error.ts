export type DeliveryChannel = "email" | "sms";

/**
 * A send that failed. The worker retries only when `permanent` is false: a permanent failure
 * (bad address, unsubscribed recipient, rejected content) would fail the same way again.
 */
export class DeliveryError extends Error {
  override readonly name: string = "DeliveryError";
  readonly channel: DeliveryChannel;
  readonly permanent: boolean;
  /** The provider's own code: an SMTP reply code ("550"), a nodemailer code ("ECONNECTION") or a Twilio error code ("21211"). */
  readonly providerCode?: string | undefined;

  constructor(
    message: string,
    opts: { channel: DeliveryChannel; permanent: boolean; providerCode?: string | undefined; cause?: unknown },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.channel = opts.channel;
    this.permanent = opts.permanent;
    this.providerCode = opts.providerCode;
  }
}

/** We refused the message ourselves (e.g. a CR/LF that could inject headers); it never reached the provider. */
export class MessageRejectedError extends DeliveryError {
  override readonly name: string = "MessageRejectedError";
  constructor(
    channel: DeliveryChannel,
    readonly field: string,
    reason: string,
  ) {
    super(`${channel} message rejected: ${field} ${reason}`, { channel, permanent: true });
  }
}
