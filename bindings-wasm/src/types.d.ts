/** A period: a year (`"2024"`) or a range (`"2024-01-01..2024-06-30"`). */
export type PeriodText = string;

/** What became of a record. */
export type Status = "scored" | "not_applicable" | "error";

/** One problem with a record: the field (`null`: the record as a whole), a stable code (`record.missing`, `record.type`, …) and a message in Vietnamese. */
export interface FieldError {
  field: string | null;
  code: string;
  message: string;
}

/** A band whose minimum the total reached but whose condition was not met. */
export interface UnmetBand {
  /** The band's code. */
  band: string;
  /** Why, in Vietnamese. */
  reason: string;
}

/** The pack a result came from. */
export interface PackRef {
  id: string;
  version: string;
  /** SHA-256 of the pack's exact sources. */
  fingerprint: string;
}

/**
 * The result of scoring one record: the same object as the CLI's JSON line
 * (keys in the same order: id, the carried fields, period, status, …).
 * Points are numbers rounded to 2 decimals. `groups`, `criteria` and
 * `reasons` are keyed by id, in the pack's order, and empty unless scored.
 */
export interface ScoreResult {
  id: string | null;
  /** The evaluation period, as given (`"2024"`). */
  period: string;
  status: Status;
  total: number | null;
  /** The class code (`"tot"`), or null unless scored. */
  class: string | null;
  /** The class's Vietnamese label (`"Tốt"`). */
  class_label: string | null;
  groups: Record<string, number>;
  criteria: Record<string, number>;
  /** Ids of the gates that fired (each caps the class). */
  gates: string[];
  /** Bands passed over because their condition was not met, best first. */
  unmet: UnmetBand[];
  /** The reason for every criterion's points, in Vietnamese. */
  reasons: Record<string, string>;
  errors: FieldError[];
  pack: PackRef;
  /** The identifying fields the pack carries into results (`name`, `province`, …), as given. */
  [carried: string]: unknown;
}

/** A field type: `bool`, `int`, `number`, `string`, `date` or `list<T>`. */
export type FieldTypeName =
  | "bool" | "int" | "number" | "string" | "date"
  | `list<${"bool" | "int" | "number" | "string" | "date"}>`;

/** One declared input field. */
export interface FieldSpec {
  /** The key in the record (`"employees"`). */
  name: string;
  type: FieldTypeName;
  /** A label for people, in Vietnamese. */
  label: string;
  required: boolean;
  /** May the value be null (for example "no conference held")? */
  nullable: boolean;
  min: number | null;
  max: number | null;
  /** Allowed values (strings), or null for any. */
  values: string[] | null;
  /** Another integer field this one may not exceed. */
  at_most: string | null;
  description: string | null;
}

/** `pack.schema()`: the input fields a record may have. */
export interface PackSchema {
  pack: PackRef;
  fields: FieldSpec[];
}

/** Where in a pack's sources something is declared. */
export interface SourceLocation {
  file: string;
  line: number | null;
  column: number | null;
}

export interface GroupInfo {
  id: string;
  label: string;
  /** The sum of its criteria's points. */
  max: number;
}

export interface CriterionInfo {
  id: string;
  group: string;
  label: string;
  /** The most points it can give. */
  points: number;
  location: SourceLocation;
}

export interface BandInfo {
  /** The class code (`"tot"`). */
  code: string;
  label: string;
  /** The lowest total that reaches it. */
  min: number;
  /** Whether the band has a further condition besides `min`. */
  has_condition: boolean;
  /** That condition, in words, when the pack gives them. */
  condition: string | null;
}

export interface GateInfo {
  id: string;
  label: string;
  /** The best class code a record may have when the gate fires. */
  cap: string;
  location: SourceLocation;
}

export interface DeadlineInfo {
  id: string;
  label: string;
  month: number;
  day: number;
  to: string;
}

/** The limits a pack's scripts run under (see `Pack.fromSources`). */
export interface Limits {
  max_operations: number;
  max_load_operations: number;
  max_call_levels: number;
  max_expr_depth: number;
  max_nesting_depth: number;
  max_string_size: number;
  max_array_size: number;
  max_map_size: number;
  max_modules: number;
  max_variables: number;
  max_source_size: number;
  max_extends_depth: number;
  /** Time one evaluation may take (wall time in WebAssembly). */
  max_time_ms: number;
  max_memory_bytes: number;
}

/** `pack.info()`: the core's pack description, as `chamdiem check --json` prints it. */
export interface PackInfo {
  id: string;
  title: string;
  version: string;
  description: string | null;
  /** Ids of the packs it extends, nearest first. */
  extends: string[];
  sources: string[];
  fingerprint: string;
  /** `YYYY-MM-DD`, null for open-ended. */
  in_force_from: string | null;
  in_force_until: string | null;
  max_points: number;
  fields: FieldSpec[];
  groups: GroupInfo[];
  criteria: CriterionInfo[];
  /** Best first. */
  bands: BandInfo[];
  gates: GateInfo[];
  has_applicability: boolean;
  calendar: DeadlineInfo[];
  /** The examples file, if the pack has one. */
  examples: string | null;
  limits: Limits;
}

/** One line of `packs()`. */
export interface PackSummary {
  id: string;
  title: string;
  version: string;
  description: string | null;
  extends: string[];
  in_force_from: string | null;
  in_force_until: string | null;
  fingerprint: string;
}

/** An example of `examples.jsonl` that did not give its expected result. */
export interface ExampleFailure {
  name: string;
  /** Its line in the examples file. */
  line: number;
  /** What differed (`"total: cần 80, được 75"`), in Vietnamese. */
  failures: string[];
}

/** Formats `pack.scoreFile` reads. */
/** A file format by name (`diffFile` also reads workbooks: their first sheet). */
export type InputFormatName = "csv" | "jsonl" | "json";
export type FileFormatName = InputFormatName | "xlsx" | "xls" | "ods";

/**
 * Codes of the errors the package throws: the core's stable code in capitals
 * (`pack.syntax` → `PACK_SYNTAX`), `LIMIT_EXCEEDED` for every limit, and
 * `INVALID_ARGUMENT` for a bad argument from JavaScript.
 */
export type ErrorCode =
  | "PACK_SYNTAX"
  | "PACK_INVALID" | "PACK_UNKNOWN_KEY" | "PACK_MISSING_KEY" | "PACK_DUPLICATE_ID"
  | "PACK_UNKNOWN_ID" | "PACK_UNDECLARED_FIELD" | "PACK_CYCLE" | "PACK_POINTS" | "PACK_BANDS"
  | "PACK_RESERVED_NAME"
  | "PACK_RUNTIME"
  | "RULE_RUNTIME"
  | "PACK_IMPORT"
  | "PACK_NOT_FOUND"
  | "PACK_NOT_IN_FORCE"
  | "PERIOD_INVALID"
  | "INPUT_UNREADABLE"
  | "IO"
  | "LIMIT_EXCEEDED"
  | "INVALID_ARGUMENT"
  /** `pack.template()` or `pack.report(…, {xlsx: true})` in a browser before `await loadXlsxWriter()`. */
  | "XLSX_WRITER_NOT_LOADED";

/** Every error thrown by the package is an `Error` with these properties. */
export interface ChamdiemError extends Error {
  name: "ChamdiemError";
  code: ErrorCode;
  /** The core's own code (`"limit.operations"`, `"pack.syntax"`); absent for `INVALID_ARGUMENT`. */
  coreCode?: string;
  /** The pack file, for errors in a pack. */
  file?: string;
  line?: number;
  column?: number;
  /** The argument or record field at fault (`"period"`). */
  field?: string;
  /** For `LIMIT_EXCEEDED`: which limit (`"limit.operations"`, `"limit.time"`). */
  limit?: string;
  /** What was running (`"criterion 2.1"`, `"loading"`). */
  context?: string;
}

/** Options of `pack.sensitivity`. */
export interface SensitivityOptions {
  /** The largest relative change of a criterion's points or a band's minimum (default 0.1: ±10 %). */
  vary?: number;
  /** How many perturbed packs (default 1000). */
  samples?: number;
  /** The seed (default 0): the same seed, the same answer. */
  seed?: number;
  /** A record whose stability is below this share is on a knife-edge (default 0.9). */
  knifeEdge?: number;
}

/** How stable one record's class is (the last keys only for a scored record). */
export interface RecordStability {
  /** Its position in the input, from 1. */
  row: number;
  id: string | null;
  name: string | null;
  status: Status;
  total: number | null;
  class: string | null;
  class_label: string | null;
  /** The share of samples that give it its class. */
  stability?: number;
  knife_edge?: boolean;
  modal_class?: string;
  /** Share of samples per class code, best class first. */
  shares?: Record<string, number>;
  /** Samples per class code. */
  counts?: Record<string, number>;
  /** Samples whose band condition or gate failed. */
  failed?: number;
  failure?: string;
}

/** How many records one criterion's weight moves (its points alone ±vary). */
export interface CriterionInfluence {
  id: string;
  label: string;
  points: number;
  moved_up: number;
  moved_down: number;
  moved: number;
}

/** The result of `pack.sensitivity` (the CLI's `sensitivity -o FILE.json`). */
export interface SensitivityAnalysis {
  pack: PackRef;
  period: string;
  options: { vary: number; samples: number; seed: number; knife_edge: number };
  classes: { code: string; label: string }[];
  records: RecordStability[];
  criteria: CriterionInfluence[];
}

// ---- Report and diff (chamdiem::report) ----

/** Options of `pack.report`. */
export interface ReportOptions {
  /** Group by the carried `unit` (default) or `province`. */
  by?: "unit" | "province";
  /** The id of the pack's deadline that applies; default: chosen from the period. */
  deadline?: string;
  /** Also make the XLSX workbook (`report.xlsx`). */
  xlsx?: boolean;
}

/** A class: code and Vietnamese label. */
export interface ClassInfo { code: string; label: string; }

/** Counts for a group of records (a unit, a province, or `Tổng cộng`). */
export interface ReportCounts {
  name: string;
  records: number;
  scored: number;
  not_applicable: number;
  errors: number;
  /** Scored records per class, aligned with `Report.classes`. */
  classes: number[];
  /** Each class's share of the scored records (0 to 1). */
  shares: number[];
  mean_total: number | null;
}

/** A record named in a list (errors, not applicable). */
export interface ReportRecordRef {
  index: number;
  id: string | null;
  name: string | null;
  group: string;
  problems: string;
}

/** The compiled results of a period (the CLI's `report --format json`), with its HTML page. */
export interface Report {
  pack: PackRef;
  pack_title: string;
  period: string;
  by: "unit" | "province";
  by_label: string;
  classes: ClassInfo[];
  max_points: number;
  total: ReportCounts;
  groups: ReportCounts[];
  totals: {
    mean: number | null; median: number | null; min: number | null; max: number | null;
    histogram: { from: number; to: number; count: number }[];
  };
  weakest: { id: string; label: string; group: string; max: number; lost: number; lost_share: number; records_losing: number }[];
  gates: { id: string; label: string; cap: string; count: number }[];
  unmet: { band: string; label: string; condition: string | null; count: number }[];
  errors: ReportRecordRef[];
  not_applicable: ReportRecordRef[];
  ranking: { rank: number; index: number; id: string | null; name: string | null; group: string; total: number; class_label: string }[];
  /** The due date (`YYYY-MM-DD`) from the pack's calendar. */
  deadline: { id: string; label: string; to: string; due: string } | null;
  /** Present when records carry a `submitted` date (a field the pack declares with `carry: true`). */
  submissions: {
    field: string; on_time: number; undated: number;
    late: (ReportRecordRef & { submitted: string; days_late: number })[];
    late_groups: [string, number][];
  } | null;
  criteria: { id: string; label: string; max: number }[];
  records: {
    index: number; id: string | null; name: string | null; unit: string | null; province: string | null;
    status: Status; total: number | null; class: string | null; class_label: string | null;
    criteria: number[]; gates: string[]; unmet: string[]; problems: string; submitted: string | null;
  }[];
  /** The report as one self-contained HTML page (charts in SVG, A4). */
  html: string;
  /** The XLSX workbook, when asked for with `{xlsx: true}`. */
  xlsx?: Uint8Array;
}

/** A record whose class changed between two packs. */
export interface MovedRecord {
  index: number;
  id: string | null;
  name: string | null;
  unit: string | null;
  old_total: number | null;
  new_total: number | null;
  old_class: ClassInfo;
  new_class: ClassInfo;
  /** Criteria whose points changed (`null`: not in that pack). */
  criteria: { id: string; label: string; old: number | null; new: number | null }[];
}

/** What replacing one pack by another does to the same records. */
export interface Diff {
  old_pack: PackRef;
  new_pack: PackRef;
  period: string;
  records: number;
  changed_class: number;
  changed_total: number;
  /** Rows: the old pack's classes, then "Không thuộc đối tượng", "Lỗi". */
  old_classes: ClassInfo[];
  /** Columns: the new pack's classes, then "Không thuộc đối tượng", "Lỗi". */
  new_classes: ClassInfo[];
  /** `matrix[row][column]`. */
  matrix: number[][];
  moved: MovedRecord[];
  html: string;
  csv: string;
}

/** Options of `pack.scoreWorkbook`: the sheet to read, by name (the first when absent). */
export interface WorkbookOptions {
  sheet?: string;
}

/** A result of `pack.scoreWorkbook`: the CLI's JSON line, with the row it came from. */
export interface WorkbookResult extends ScoreResult {
  source: {
    /** The sheet read. */
    sheet: string;
    /** The row, from 1 as Excel numbers it. */
    row: number;
  };
}

/** `Pack`'s methods written in the package's entry module (`index.js`). */
export interface Pack {
  /**
   * Scores many records, one result each, in order. Each result equals what
   * `score` gives for the record alone (the CLI's JSON line). Nothing stops
   * the batch: a record the pack fails on gets an `error` result, as in the CLI.
   */
  scoreMany(records: Iterable<Record<string, unknown>>, period: string | number): ScoreResult[];
}

/** `FileScoring`'s methods written in the package's entry module (`index.js`). */
export interface FileScoring {
  /**
   * Scores up to `max` more records and returns their results, in input
   * order (each the CLI's JSON line for its record). When the file breaks
   * off (unreadable beyond some point), the results before the break are
   * returned first and the next call throws.
   */
  step(max: number): ScoreResult[];
}
