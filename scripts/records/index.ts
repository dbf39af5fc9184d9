export { compareResults, isWallTime, asJson } from './compare.ts';
export { readRecord, recordPath, recordsDir, writeRecord, type RecordFile } from './store.ts';
