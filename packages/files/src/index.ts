export { FileNotFoundError, FileRejectedError, InvalidStorageKeyError, type FileRejectedCode } from "./errors";
export { neutralizeCell } from "./formula";
export {
  DOWNLOAD_URL_TTL_SECONDS,
  signDownload,
  signPayload,
  verifyDownload,
  verifyPayload,
  type DownloadSecret,
  type SignDownloadInput,
  type VerifyDownloadResult,
} from "./signed-url";
export {
  createLocalDiskStorage,
  type FileBody,
  type FileStorage,
  type StorageWriteStream,
} from "./storage";
export {
  MAX_IMPORT_BYTES,
  MAX_IMPORT_RECORDS,
  MAX_UNCOMPRESSED_BYTES,
  detectFormat,
  readRecords,
  type ReadRecordsOptions,
  type TabularData,
  type TabularFormat,
} from "./tabular-read";
export {
  contentTypeFor,
  createTabularWriter,
  extensionFor,
  type ExportColumn,
  type TabularWriter,
} from "./tabular-write";
