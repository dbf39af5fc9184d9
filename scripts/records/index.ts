export { compareResults, isWallTime, asJson } from './compare.ts';
export { BOOK_BACKEND, readRecord, recordCommand, recordPath, recordsDir, writeRecord, type RecordFile } from './store.ts';
