/**
 * A small reader for a zip's central directory: names and declared sizes, no decompression. It is
 * synchronous (format sniffing needs it) and lets us refuse a zip bomb before any library inflates it.
 */
export type ZipEntry = {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
};

export class ZipFormatError extends Error {
  override readonly name = "ZipFormatError";
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_HEADER_SIZE = 46;
const LOCAL_HEADER_SIZE = 30;
const MAX_COMMENT = 0xffff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

export function isZip(buffer: Buffer): boolean {
  return buffer.length >= 4 && buffer.readUInt32LE(0) === LOCAL_SIGNATURE;
}

/** Sizes above 2^53 can't be exact in a number; they only need to compare as "too big". */
function u64(buffer: Buffer, offset: number): number {
  return Number(buffer.readBigUInt64LE(offset));
}

function need(buffer: Buffer, offset: number, length: number, what: string): void {
  if (offset < 0 || offset + length > buffer.length) throw new ZipFormatError(`truncated ${what}`);
}

function findEndOfCentralDirectory(buffer: Buffer): number {
  const lowest = Math.max(0, buffer.length - EOCD_SIZE - MAX_COMMENT);
  for (let i = buffer.length - EOCD_SIZE; i >= lowest; i -= 1) {
    if (buffer.readUInt32LE(i) === EOCD_SIGNATURE) return i;
  }
  throw new ZipFormatError("no end of central directory record");
}

export function readZipDirectory(buffer: Buffer): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(buffer);
  if (buffer.readUInt16LE(eocd + 4) !== 0 || buffer.readUInt16LE(eocd + 6) !== 0) {
    throw new ZipFormatError("multi-part archives are not supported");
  }
  let count = buffer.readUInt16LE(eocd + 10);
  let directorySize = buffer.readUInt32LE(eocd + 12);
  let directoryOffset = buffer.readUInt32LE(eocd + 16);

  if (count === U16_MAX || directorySize === U32_MAX || directoryOffset === U32_MAX) {
    const locator = eocd - 20;
    if (locator >= 0 && buffer.readUInt32LE(locator) === ZIP64_LOCATOR_SIGNATURE) {
      const record = u64(buffer, locator + 8);
      need(buffer, record, 56, "zip64 end of central directory");
      if (buffer.readUInt32LE(record) !== ZIP64_EOCD_SIGNATURE) throw new ZipFormatError("bad zip64 record");
      count = u64(buffer, record + 32);
      directorySize = u64(buffer, record + 40);
      directoryOffset = u64(buffer, record + 48);
    }
  }
  need(buffer, directoryOffset, directorySize, "central directory");
  if (count * CENTRAL_HEADER_SIZE > directorySize) throw new ZipFormatError("entry count exceeds the directory");

  const entries: ZipEntry[] = [];
  let offset = directoryOffset;
  for (let i = 0; i < count; i += 1) {
    need(buffer, offset, CENTRAL_HEADER_SIZE, "central directory entry");
    if (buffer.readUInt32LE(offset) !== CENTRAL_SIGNATURE) throw new ZipFormatError("bad central directory entry");
    const flags = buffer.readUInt16LE(offset + 8);
    const method = buffer.readUInt16LE(offset + 10);
    let compressedSize = buffer.readUInt32LE(offset + 20);
    let uncompressedSize = buffer.readUInt32LE(offset + 24);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    let localHeaderOffset = buffer.readUInt32LE(offset + 42);
    const nameStart = offset + CENTRAL_HEADER_SIZE;
    need(buffer, nameStart, nameLength + extraLength + commentLength, "central directory entry");
    const name = buffer.toString("utf8", nameStart, nameStart + nameLength);

    if (uncompressedSize === U32_MAX || compressedSize === U32_MAX || localHeaderOffset === U32_MAX) {
      // Zip64 extra field: only the fields saturated above are present, in this order.
      const extraEnd = nameStart + nameLength + extraLength;
      let field = nameStart + nameLength;
      while (field + 4 <= extraEnd) {
        const id = buffer.readUInt16LE(field);
        const size = buffer.readUInt16LE(field + 2);
        if (id === 0x0001) {
          let cursor = field + 4;
          const take = () => {
            if (cursor + 8 > field + 4 + size) throw new ZipFormatError("bad zip64 extra field");
            const value = u64(buffer, cursor);
            cursor += 8;
            return value;
          };
          if (uncompressedSize === U32_MAX) uncompressedSize = take();
          if (compressedSize === U32_MAX) compressedSize = take();
          if (localHeaderOffset === U32_MAX) localHeaderOffset = take();
          break;
        }
        field += 4 + size;
      }
    }
    entries.push({ name, method, flags, compressedSize, uncompressedSize, localHeaderOffset });
    offset = nameStart + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The entry's raw (still compressed) bytes, located through its local header. */
export function entryData(buffer: Buffer, entry: ZipEntry): Buffer {
  const local = entry.localHeaderOffset;
  need(buffer, local, LOCAL_HEADER_SIZE, "local header");
  if (buffer.readUInt32LE(local) !== LOCAL_SIGNATURE) throw new ZipFormatError(`bad local header for ${entry.name}`);
  const start = local + LOCAL_HEADER_SIZE + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
  need(buffer, start, entry.compressedSize, `data for ${entry.name}`);
  return buffer.subarray(start, start + entry.compressedSize);
}
