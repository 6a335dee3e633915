import { type AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerError } from "smtp-server";

export type RecordedMail = { from: string; to: string[]; raw: string };

/** A plain SMTP server for unit tests: records raw messages, answers with scripted reply codes. */
export type RecordingSmtp = {
  url: string;
  mails: RecordedMail[];
  /** How many TCP connections were opened; 0 proves a message was refused before nodemailer connected. */
  connections: () => number;
  rejectRecipient: (address: string, code: number) => void;
  rejectData: (code: number, times?: number) => void;
  close: () => Promise<void>;
};

function smtpError(code: number): SMTPServerError {
  const error: SMTPServerError = new Error(code >= 500 ? "Mailbox unavailable" : "Try again later");
  error.responseCode = code;
  return error;
}

export async function startRecordingSmtp(): Promise<RecordingSmtp> {
  const mails: RecordedMail[] = [];
  const rejectedRecipients = new Map<string, number>();
  const dataRejections: number[] = [];
  let connections = 0;
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    closeTimeout: 200,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onRcptTo(address, _session, callback) {
      const code = rejectedRecipients.get(address.address.toLowerCase());
      callback(code === undefined ? undefined : smtpError(code));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const code = dataRejections.shift();
        if (code !== undefined) return callback(smtpError(code));
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback(null, "Ok: queued as TEST123");
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    connections: () => connections,
    rejectRecipient: (address, code) => rejectedRecipients.set(address.toLowerCase(), code),
    rejectData: (code, times = 1) => dataRejections.push(...Array.from({ length: times }, () => code)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
