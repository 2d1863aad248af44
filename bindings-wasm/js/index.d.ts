export { packs, loadPack, Pack, FileScoring, diff, diffFile } from './chamdiem_wasm.js';
export type {
  PeriodText, Status, FieldError, UnmetBand, PackRef, ScoreResult, FieldTypeName, FieldSpec,
  PackSchema, Limits, SourceLocation, GroupInfo, CriterionInfo, BandInfo, GateInfo,
  DeadlineInfo, PackInfo, PackSummary, ExampleFailure, InputFormatName, ErrorCode,
  ChamdiemError, ReportOptions, ClassInfo, ReportCounts, ReportRecordRef, Report, MovedRecord, Diff,
} from './chamdiem_wasm.js';
