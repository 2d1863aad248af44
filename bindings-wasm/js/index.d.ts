export { packs, loadPack, Pack, FileScoring, diff, diffFile } from './chamdiem_wasm.js';
export type {
  PeriodText, Status, FieldError, UnmetBand, PackRef, ScoreResult, FieldTypeName, FieldSpec,
  PackSchema, Limits, SourceLocation, GroupInfo, CriterionInfo, BandInfo, GateInfo,
  DeadlineInfo, PackInfo, PackSummary, ExampleFailure, InputFormatName, ErrorCode,
  ChamdiemError, ReportOptions, ClassInfo, ReportCounts, ReportRecordRef, Report, MovedRecord, Diff,
} from './chamdiem_wasm.js';

/**
 * Loads the module that writes .xlsx workbooks (`chamdiem_xlsx_bg.wasm`),
 * once. Node loads it by itself the first time a workbook is written;
 * browsers and workers must await this before `pack.template()` or
 * `pack.report(…, {xlsx: true})`, which otherwise throw an error with code
 * `XLSX_WRITER_NOT_LOADED`.
 */
export function loadXlsxWriter(): Promise<void>;

declare module './chamdiem_wasm.js' {
  interface Pack {
    /**
     * The pack's blank input workbook (`.xlsx` bytes): Vietnamese labels over
     * the field keys, one row per enterprise, drop-downs and checks from the
     * declared fields, and a notes sheet (`Ghi chú`). Written by the writer
     * module (see `loadXlsxWriter`).
     */
    template(): Uint8Array;
  }
}
