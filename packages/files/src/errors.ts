/** Why an uploaded file was refused; the HTTP layer maps every code to a 4xx with `message` shown to the user. */
export type FileRejectedCode =
  | "UNSUPPORTED_FORMAT"
  | "FORMAT_MISMATCH"
  | "TOO_MANY_RECORDS"
  | "TOO_LARGE"
  | "MALFORMED";

export class FileRejectedError extends Error {
  override readonly name = "FileRejectedError";
  constructor(
    readonly code: FileRejectedCode,
    message: string,
  ) {
    super(message);
  }
}

export class FileNotFoundError extends Error {
  override readonly name = "FileNotFoundError";
  readonly code = "FILE_NOT_FOUND";
  constructor(readonly key: string) {
    super(`file not found: ${key}`);
  }
}

export class InvalidStorageKeyError extends Error {
  override readonly name = "InvalidStorageKeyError";
  readonly code = "INVALID_KEY";
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid storage key ${JSON.stringify(key)}: ${reason}`);
  }
}
