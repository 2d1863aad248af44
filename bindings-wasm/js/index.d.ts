export { packs, loadPack, Pack, FileScoring } from './chamdiem_wasm.js';
export type {
  PeriodText, Status, FieldError, UnmetBand, PackRef, ScoreResult, FieldTypeName, FieldSpec,
  PackSchema, Limits, SourceLocation, GroupInfo, CriterionInfo, BandInfo, GateInfo,
  DeadlineInfo, PackInfo, PackSummary, ExampleFailure, InputFormatName, ErrorCode,
  ChamdiemError,
} from './chamdiem_wasm.js';
